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
from mappings.models import TaskFieldMapping
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


@pytest.fixture
def ledger(db):
    """Ledger rows with hand-written notes, for what the sandbox cannot easily produce side by side."""
    member = MembershipFactory(role=Role.REP)
    workspace, user = member.workspace, member.user
    counter = iter(range(1000))

    def prospect(sf_type="Contact"):
        n = next(counter)
        return Prospect.objects.create(workspace=workspace, email=f"p{n}@example.org", salesforce_type=sf_type)

    def activity(p, kind="call"):
        return Activity.objects.create(workspace=workspace, prospect=p, user=user, kind=kind, state="completed",
                                       external_id=f"a{next(counter)}")  # fmt: skip

    def write(message, *, action=JobAction.TASK_CREATE, p=None, act=None, outcome=AttemptOutcome.SUCCEEDED, ago=0):
        p = p or (act.prospect if act else prospect())
        job = WritebackJob.objects.create(workspace=workspace, user=user, prospect=p, activity=act, action=action,
                                          status=JobStatus.SUCCEEDED, next_attempt_at=timezone.now(), attempts=1,
                                          idempotency_key=f"k{next(counter)}")  # fmt: skip
        WritebackAttempt.objects.create(job=job, number=1, outcome=outcome, message=message,
                                        started_at=timezone.now() - timedelta(days=ago))  # fmt: skip
        return job

    return workspace, user, prospect, activity, write


def test_a_task_is_counted_once_and_only_written_attempts_within_the_window_count(ledger):
    workspace, user, prospect, activity, write = ledger
    a = activity(prospect())
    write(f"Type skipped: {FIELD_GONE}", act=a)
    write(f"Type skipped: {FIELD_GONE}", act=a, action=JobAction.TASK_COMPLETE)  # the same Task, completed
    write(f"Type skipped: {FIELD_GONE}", act=activity(prospect()), outcome=AttemptOutcome.FAILED)
    write(f"Type skipped: {FIELD_GONE}", act=activity(prospect()), ago=20)
    (group,) = task_fields_left_out(workspace=workspace, kind="call", fields=["Type"])
    assert (group.reason, group.count, group.example_activity_id, group.written_as) == ("gone", 1, a.pk, user.email)


def test_notes_are_matched_by_whole_field_name_and_reason(ledger):
    workspace, _, prospect, activity, write = ledger
    header = "Salesforce answered INVALID_FIELD; the field metadata was refreshed and the record written again:"
    write(f"sb_Type skipped: {FIELD_GONE}", act=activity(prospect()))  # another field ending in "Type"
    write(f"{header} type skipped: {FIELD_NOT_WRITABLE}", act=activity(prospect()))  # names are case-insensitive
    write("Type skipped: “Zap” is not one of the active values.", act=activity(prospect()))
    write("Type cut to 40 characters.", act=activity(prospect()))  # cut, not left out
    found = {(g.field, g.reason): g.count for g in task_fields_left_out(workspace=workspace, kind="call",
                                                                         fields=["Type", "sb_Type"])}  # fmt: skip
    assert found == {("Type", "read_only"): 1, ("Type", "other"): 1, ("sb_Type", "gone"): 1}


def test_account_notes_ride_on_the_contact_job_but_count_for_the_account(ledger):
    workspace, _, prospect, activity, write = ledger
    contact = prospect("Contact")
    activity(contact)
    write(f"Account: Industry skipped: {FIELD_GONE}", action=JobAction.PROSPECT_SYNC, p=contact)
    write(f"Industry skipped: {FIELD_GONE}", action=JobAction.PROSPECT_SYNC, p=prospect("Lead"))
    write(f"Industry skipped: {FIELD_GONE}", action=JobAction.SEQUENCE_UPDATE, p=prospect("Lead"))

    (account,) = creation_fields_left_out(workspace=workspace, sobject="Account", fields=["Industry"])
    assert account.count == 1 and account.example_activity_id == contact.activities.get().pk
    assert creation_fields_left_out(workspace=workspace, sobject="Contact", fields=["Industry"]) == []
    (lead,) = creation_fields_left_out(workspace=workspace, sobject="Lead", fields=["Industry"])
    assert lead.count == 1 and lead.example_activity_id is None  # that prospect has no activity page
    (seq,) = sequence_fields_left_out(workspace=workspace, sobject="Lead", fields=["Industry"])
    assert seq.count == 1 and seq.example_activity_id is None
    assert sequence_fields_left_out(workspace=workspace, sobject="Contact", fields=["Industry"]) == []
