"""Reading from the writeback ledger which mapped fields recent writes left out (activities.selectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import (
    Activity,
    AttemptOutcome,
    JobAction,
    JobStatus,
    Prospect,
    WritebackAttempt,
    WritebackJob,
)
from activities.selectors import creation_fields_left_out, sequence_fields_left_out, task_fields_left_out
from integrations.models import DescribeCache
from mappings.compat import FIELD_GONE, FIELD_NOT_WRITABLE
from mappings.models import CreationDefault, SequenceFieldMapping, TaskFieldMapping
from mappings.payloads import CUT, GONE, INVALID_VALUE, NOT_WRITABLE
from tests.activities.conftest import activity_event
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db
FIELD = "sb_numberdialed__c"


def test_counts_the_reps_real_writes_within_the_window_and_the_workspace(crm):
    crm.control.add_fields(crm.org.org_id, "Task", [{"name": FIELD, "type": "phone"}])
    crm.control.set_permissions(crm.org.org_id, "Standard User", fields={f"Task.{FIELD}": "hidden"})
    DescribeCache.objects.all().delete()
    TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind="call", target_field=FIELD,
                                    source="variable", value="number_dialed", position=50)  # fmt: skip
    crm.ingest([activity_event(1, rep=crm.rep), activity_event(2, rep=crm.rep)])

    (group,) = task_fields_left_out(workspace=crm.workspace, kind="call", fields=[FIELD, "Subject"])
    assert (group.field, group.reason, group.user, group.count) == (FIELD, "gone", crm.rep, 2)
    assert group.written_as == crm.rep_connection.remote_username
    example = WritebackJob.objects.get(pk=group.example_job_id)
    assert example.user == crm.rep and example.activity_id == group.example_activity_id

    later = timezone.now() + timedelta(days=15)
    assert task_fields_left_out(workspace=crm.workspace, kind="call", fields=[FIELD], now=later) == []
    assert task_fields_left_out(workspace=crm.workspace, kind="email_sent", fields=[FIELD]) == []
    other = MembershipFactory(role=Role.OWNER).workspace
    assert task_fields_left_out(workspace=other, kind="call", fields=[FIELD]) == []


def skip(field: str, reason: str, *, sobject: str = "Task", detail: str = "") -> dict:
    """One item of `WritebackAttempt.skipped_fields`, as the engine records it."""
    return {"sobject": sobject, "field": field, "reason": reason, "detail": detail or FIELD_GONE}


@pytest.fixture
def ledger(db):
    """Ledger rows written by hand, for what the sandbox cannot easily produce side by side."""
    member = MembershipFactory(role=Role.REP)
    workspace, user = member.workspace, member.user
    counter = iter(range(1000))

    def prospect(sf_type="Contact"):
        n = next(counter)
        return Prospect.objects.create(workspace=workspace, email=f"p{n}@example.org", salesforce_type=sf_type)

    def activity(p, kind="call"):
        return Activity.objects.create(workspace=workspace, prospect=p, user=user, kind=kind, state="completed",
                                       external_id=f"a{next(counter)}")  # fmt: skip

    def write(*skipped, action=JobAction.TASK_CREATE, p=None, act=None, outcome=AttemptOutcome.SUCCEEDED, ago=0):
        p = p or (act.prospect if act else prospect())
        job = WritebackJob.objects.create(workspace=workspace, user=user, prospect=p, activity=act, action=action,
                                          status=JobStatus.SUCCEEDED, next_attempt_at=timezone.now(), attempts=1,
                                          idempotency_key=f"k{next(counter)}")  # fmt: skip
        message = " ".join(f"{s['field']} skipped: {s['detail']}" for s in skipped)
        started_at = timezone.now() - timedelta(days=ago)
        WritebackAttempt.objects.create(job=job, number=1, outcome=outcome, message=message,
                                        skipped_fields=list(skipped), started_at=started_at)  # fmt: skip
        return job

    return workspace, user, prospect, activity, write


def test_a_task_is_counted_once_and_only_written_attempts_within_the_window_count(ledger):
    workspace, user, prospect, activity, write = ledger
    a = activity(prospect())
    write(skip("Type", GONE), act=a)
    write(skip("Type", GONE), act=a, action=JobAction.TASK_COMPLETE)  # the same Task, completed
    write(skip("Type", GONE), act=activity(prospect()), outcome=AttemptOutcome.FAILED)
    write(skip("Type", GONE), act=activity(prospect()), ago=20)
    write(act=activity(prospect()))  # nothing left out
    (group,) = task_fields_left_out(workspace=workspace, kind="call", fields=["Type"])
    assert (group.reason, group.count, group.example_activity_id, group.written_as) == ("gone", 1, a.pk, user.email)


def test_fields_are_matched_by_whole_name_and_reason(ledger):
    workspace, _, prospect, activity, write = ledger
    write(skip("sb_Type", GONE), act=activity(prospect()))  # another field ending in "Type"
    write(skip("type", NOT_WRITABLE, detail=FIELD_NOT_WRITABLE), act=activity(prospect()))  # case-insensitive
    write(skip("Type", INVALID_VALUE, detail="“Zap” is not one of the active values."), act=activity(prospect()))
    write(skip("Type", CUT, detail="cut to 40 characters."), act=activity(prospect()))  # cut, not left out
    write(skip("Type", GONE, sobject="Contact"), act=activity(prospect()))  # another object's field
    found = {(g.field, g.reason): g.count for g in task_fields_left_out(workspace=workspace, kind="call",
                                                                         fields=["Type", "sb_Type"])}  # fmt: skip
    assert found == {("Type", "read_only"): 1, ("Type", "other"): 1, ("sb_Type", "gone"): 1}


def test_account_items_ride_on_the_contact_job_but_count_for_the_account(ledger):
    workspace, _, prospect, activity, write = ledger
    contact = prospect("Contact")
    activity(contact)
    write(skip("Industry", GONE, sobject="Account"), action=JobAction.PROSPECT_SYNC, p=contact)
    write(skip("Industry", GONE, sobject="Lead"), action=JobAction.PROSPECT_SYNC, p=prospect("Lead"))
    write(skip("Industry", GONE, sobject="Lead"), action=JobAction.SEQUENCE_UPDATE, p=prospect("Lead"))

    (account,) = creation_fields_left_out(workspace=workspace, sobject="Account", fields=["Industry"])
    assert account.count == 1 and account.example_activity_id == contact.activities.get().pk
    assert creation_fields_left_out(workspace=workspace, sobject="Contact", fields=["Industry"]) == []
    (lead,) = creation_fields_left_out(workspace=workspace, sobject="Lead", fields=["Industry"])
    assert lead.count == 1 and lead.example_activity_id is None  # that prospect has no activity page
    (seq,) = sequence_fields_left_out(workspace=workspace, sobject="Lead", fields=["Industry"])
    assert seq.count == 1 and seq.example_activity_id is None
    assert sequence_fields_left_out(workspace=workspace, sobject="Contact", fields=["Industry"]) == []


def test_a_contact_and_its_new_account_leaving_out_the_same_field_count_for_both(crm):
    """One write creates a Contact and its Account, and both leave out a field of the same name: each object's
    page counts it (the text notes "Region__c skipped" and "Account: Region__c skipped" could not tell them apart)."""
    org = crm.org.org_id
    for sobject in ("Contact", "Account"):
        crm.control.add_fields(org, sobject, [{"name": "Region__c", "type": "string"}])
        CreationDefault.objects.create(workspace=crm.workspace, sobject=sobject, target_field="Region__c",
                                       source="constant", value="EMEA")  # fmt: skip
    crm.control.set_permissions(org, "Standard User", fields={"Contact.Region__c": "hidden",
                                                              "Account.Region__c": "hidden"})  # fmt: skip
    DescribeCache.objects.all().delete()
    crm.ingest([activity_event(1, rep=crm.rep)])
    (contact,), (account,) = crm.records("Contact"), crm.records("Account")
    assert not contact.get("Region__c") and not account.get("Region__c")

    (attempt,) = WritebackAttempt.objects.filter(job__action=JobAction.PROSPECT_SYNC)
    assert [(s["sobject"], s["field"], s["reason"]) for s in attempt.skipped_fields] == [
        ("Contact", "Region__c", "gone"),
        ("Account", "Region__c", "gone"),
    ]
    assert f"Region__c skipped: {FIELD_GONE}" in attempt.message  # the history still reads as before
    (on_contact,) = creation_fields_left_out(workspace=crm.workspace, sobject="Contact", fields=["Region__c"])
    (on_account,) = creation_fields_left_out(workspace=crm.workspace, sobject="Account", fields=["Region__c"])
    assert (on_contact.reason, on_contact.count, on_contact.user) == ("gone", 1, crm.rep)
    assert (on_account.reason, on_account.count, on_account.user) == ("gone", 1, crm.rep)
    assert on_contact.example_job_id == on_account.example_job_id == attempt.job_id


def test_a_sequence_update_with_every_field_left_out_is_skipped_and_still_counted(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [{"name": "SB_Seq__c", "type": "string"}])
    crm.control.set_permissions(org, "Standard User", fields={"Contact.SB_Seq__c": "read"})
    DescribeCache.objects.all().delete()
    SequenceFieldMapping.objects.create(workspace=crm.workspace, sobject="Contact", purpose="name",
                                        target_field="SB_Seq__c")  # fmt: skip
    prospect = {"email": "sam@example.org", "first_name": "Sam", "last_name": "Seq", "company": {"name": "Seq Co"}}
    crm.ingest([{"type": "enrollment", "event": "enrolled", "user": crm.rep.email, "prospect": prospect,
                 "occurred_at": "2026-05-01T09:00:00Z",
                 "sequence": {"name": "Outbound A", "status": "Active"}}])  # fmt: skip
    job = WritebackJob.objects.get(action=JobAction.SEQUENCE_UPDATE)
    assert job.status == JobStatus.SKIPPED
    (attempt,) = WritebackAttempt.objects.filter(job=job)
    assert attempt.outcome == AttemptOutcome.SKIPPED
    assert attempt.skipped_fields == [
        {"sobject": "Contact", "field": "SB_Seq__c", "reason": "not_writable", "detail": FIELD_NOT_WRITABLE}
    ]
    (group,) = sequence_fields_left_out(workspace=crm.workspace, sobject="Contact", fields=["SB_Seq__c"])
    assert (group.reason, group.count, group.example_job_id, group.user) == ("read_only", 1, job.pk, crm.rep)
