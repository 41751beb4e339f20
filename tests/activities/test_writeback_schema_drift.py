"""Schema drift at write time: a mapped field deleted in Salesforce, or hidden from the rep by field-level security,
while our cached describe still lists it. Salesforce answers INVALID_FIELD; the engine refreshes the describe and
writes the record at once without the field, recording what it left out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import AttemptOutcome, JobAction, JobStatus, WritebackAttempt, WritebackJob
from integrations.models import DescribeCache
from mappings.models import CreationDefault, SequenceFieldMapping, TaskFieldMapping
from tests.activities.conftest import activity_event
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db
FIELD = "sb_numberdialed__c"
REP_PROFILE = "Standard User"  # the sandbox's rep1/rep2 (sandbox/README.md)


def call(n: int, rep) -> dict:
    return activity_event(n, rep=rep, email="dana@example.org", call={"number_dialed": "+1 415 555 0100"})


@pytest.fixture
def mapped(crm):
    """A Call mapping onto a Task custom field, with one Task already written through it (so it is cached)."""
    crm.control.add_fields(crm.org.org_id, "Task", [{"name": FIELD, "type": "phone"}])
    DescribeCache.objects.all().delete()
    TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind="call", target_field=FIELD,
                                    source="variable", value="number_dialed", position=50)  # fmt: skip
    crm.ingest([call(1, crm.rep)])
    (task,) = crm.tasks()
    assert task[FIELD] == "+1 415 555 0100"
    return crm


def second_task_job() -> WritebackJob:
    return WritebackJob.objects.filter(action=JobAction.TASK_CREATE).order_by("-id").first()


def assert_written_without_field(crm, *, attempts: int = 1) -> WritebackAttempt:
    job = second_task_job()
    assert job.status == JobStatus.SUCCEEDED, job.last_error_message
    assert job.attempts == attempts  # the immediate resend is not one of the backoff attempts
    tasks = crm.tasks()
    assert len(tasks) == 2  # the first call's Task and exactly one for the second call
    (new,) = [t for t in tasks if t["Id"] == job.remote_id]
    assert not new.get(FIELD)
    assert new["Subject"].startswith("Call")
    attempt = WritebackAttempt.objects.filter(job=job).order_by("number").last()
    assert WritebackAttempt.objects.filter(job=job).count() == attempts
    assert attempt.outcome == AttemptOutcome.SUCCEEDED
    assert f"{FIELD} skipped:" in attempt.message
    assert [(s["sobject"], s["field"]) for s in attempt.skipped_fields] == [("Task", FIELD)]
    return attempt


def skipped(attempt: WritebackAttempt) -> list[tuple[str, str, str]]:
    return [(s["sobject"], s["field"], s["reason"]) for s in attempt.skipped_fields]


def test_deleted_task_field_is_left_out_and_flagged(mapped):
    crm = mapped
    crm.control.delete_fields(crm.org.org_id, "Task", [FIELD])
    crm.ingest([call(2, crm.rep)])

    attempt = assert_written_without_field(crm)
    assert "no longer exists" in attempt.message
    assert skipped(attempt) == [("Task", FIELD, "gone")]
    assert attempt.skipped_fields[0]["detail"] in attempt.message

    # The activity's history shows what was left out, and the settings page flags the mapping.
    client = logged_in_client(crm.owner)
    job = second_task_job()
    page = client.get(f"/w/{crm.workspace.slug}/activity/activities/{job.activity_id}/")
    assert page.status_code == 200
    assert f"{FIELD} skipped:" in page.content.decode()
    response = client.get(f"/w/{crm.workspace.slug}/settings/crm/tasks/call/")
    assert response.status_code == 200
    assert 'data-testid="drift-warning"' in response.content.decode()


def test_field_hidden_from_the_rep_is_left_out(mapped):
    crm = mapped
    crm.control.set_permissions(crm.org.org_id, REP_PROFILE, fields={f"Task.{FIELD}": "hidden"})
    crm.ingest([call(2, crm.rep)])

    attempt = assert_written_without_field(crm)
    assert "hidden from the connected user" in attempt.message


def test_the_next_batch_uses_the_reps_own_refreshed_describe(mapped):
    crm = mapped
    crm.control.set_permissions(crm.org.org_id, REP_PROFILE, fields={f"Task.{FIELD}": "hidden"})
    crm.ingest([call(2, crm.rep)])
    assert second_task_job().status == JobStatus.SUCCEEDED
    # The admin (who still sees the field) opens the settings page: the newest cached describe is now theirs.
    page = logged_in_client(crm.owner).get(f"/w/{crm.workspace.slug}/settings/crm/tasks/call/")
    assert page.status_code == 200 and 'data-testid="drift-warning"' not in page.content.decode()

    crm.control.clear_requests()
    crm.ingest([call(3, crm.rep)])
    job = second_task_job()
    assert job.status == JobStatus.SUCCEEDED
    (attempt,) = WritebackAttempt.objects.filter(job=job)
    assert f"{FIELD} skipped:" in attempt.message  # left out up front from the rep's own view of Task
    paths = [r["path"] for r in crm.control.requests(org=crm.org.org_id)]
    assert not [p for p in paths if "/describe" in p] and len(paths) == 1  # no refused write, no refresh
    assert len(crm.tasks()) == 3


def test_invalid_field_with_the_field_still_there_stays_a_permanent_failure(mapped, sandbox):
    crm = mapped
    error = [{"statusCode": "INVALID_FIELD", "message": "No such column 'Foo__c' on entity 'Task'.", "fields": []}]
    sandbox.control.fault(method="POST", path="/services/data/*/composite*", status=200, org=crm.org.org_id,
                          body=[{"success": False, "errors": error}], times=1)  # fmt: skip
    crm.control.clear_requests()
    try:
        crm.ingest([call(2, crm.rep)])
    finally:
        sandbox.control.clear_faults()
    paths = [r["path"] for r in crm.control.requests(org=crm.org.org_id)]
    assert [p for p in paths if "/sobjects/Task/describe" in p]  # refreshed, and the field is still there
    job = second_task_job()
    assert job.status == JobStatus.FAILED and job.last_error_code == "INVALID_FIELD"
    assert "cannot write Foo__c on Task" in job.last_error_message
    assert "remove the field from the mapping" in job.last_error_message
    assert job.fix_url.endswith("/settings/crm/tasks/call/")
    assert len(crm.tasks()) == 1  # not sent again: a resend would have got through the one-off fault


def test_sequence_update_still_writes_the_other_fields(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [{"name": "SB_Sequence__c", "type": "string"},
                                            {"name": "SB_Step__c", "type": "string"}])  # fmt: skip
    DescribeCache.objects.all().delete()
    for purpose, field in (("name", "SB_Sequence__c"), ("step", "SB_Step__c")):
        SequenceFieldMapping.objects.create(workspace=crm.workspace, sobject="Contact", purpose=purpose,
                                            target_field=field)  # fmt: skip
    prospect = {"email": "sam@example.org", "first_name": "Sam", "last_name": "Seq", "company": {"name": "Seq Co"}}

    def enrollment(event, step, at):
        return {"type": "enrollment", "event": event, "user": crm.rep.email, "prospect": prospect, "occurred_at": at,
                "sequence": {"name": "Outbound A", "step": step, "status": "Active"}}  # fmt: skip

    crm.ingest([enrollment("enrolled", "Step 1", "2026-05-01T09:00:00Z")])
    (row,) = crm.records("Contact")
    assert (row["SB_Sequence__c"], row["SB_Step__c"]) == ("Outbound A", "Step 1")

    crm.control.delete_fields(org, "Contact", ["SB_Sequence__c"])
    crm.ingest([enrollment("step_changed", "Step 2", "2026-05-02T09:00:00Z")])
    job = WritebackJob.objects.filter(action=JobAction.SEQUENCE_UPDATE).order_by("-id").first()
    assert job.status == JobStatus.SUCCEEDED, job.last_error_message
    assert job.attempts == 1
    (row,) = crm.records("Contact")
    assert row["SB_Step__c"] == "Step 2"
    (attempt,) = WritebackAttempt.objects.filter(job=job)
    assert "SB_Sequence__c skipped:" in attempt.message
    assert skipped(attempt) == [("Contact", "SB_Sequence__c", "gone")]


def test_in_a_batch_only_the_refused_records_go_again(mapped):
    crm = mapped
    crm.control.delete_fields(crm.org.org_id, "Task", [FIELD])
    crm.control.clear_requests()
    # One batch: a call of the known prospect, calls of two new prospects (their Tasks point at Contacts created in
    # the same run) and an email, whose mapping does not use the field.
    crm.ingest([call(2, crm.rep), activity_event(3, rep=crm.rep, call={"number_dialed": "+1 415 555 0101"}),
                activity_event(4, rep=crm.rep, call={"number_dialed": "+1 415 555 0102"}),
                activity_event(5, rep=crm.rep, kind="email_sent", email="dana@example.org")])  # fmt: skip
    jobs = WritebackJob.objects.filter(action=JobAction.TASK_CREATE).order_by("id")[1:]
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED] * 4
    assert [j.attempts for j in jobs] == [1] * 4
    assert len(crm.tasks()) == 5 and len(crm.records("Contact")) == 3
    notes = {j.activity.kind: WritebackAttempt.objects.get(job=j).message for j in jobs}
    assert notes["email_sent"] == ""  # written by the first call, nothing left out
    calls = [WritebackAttempt.objects.get(job=j).message for j in jobs if j.activity.kind == "call"]
    assert len(calls) == 3 and all(f"{FIELD} skipped:" in m for m in calls)
    writes = [r for r in crm.control.requests(org=crm.org.org_id) if "/composite" in r["path"]]
    describes = [r for r in crm.control.requests(org=crm.org.org_id) if "/sobjects/Task/describe" in r["path"]]
    assert len(describes) == 1  # one refresh for the whole batch
    assert len(writes) <= 3  # lookup, the batched write, one resend of the refused records


def test_a_new_contact_refused_over_a_deleted_field_is_created_without_it_and_its_task_follows(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [{"name": "Region__c", "type": "string"}])
    DescribeCache.objects.all().delete()
    CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Region__c",
                                   source="constant", value="EMEA")  # fmt: skip
    crm.ingest([activity_event(1, rep=crm.rep)])
    assert crm.records("Contact")[0]["Region__c"] == "EMEA"

    crm.control.delete_fields(org, "Contact", ["Region__c"])
    crm.ingest([activity_event(2, rep=crm.rep)])
    contacts = [c for c in crm.records("Contact") if c["Email"] == "prospect2@example.org"]
    assert len(contacts) == 1 and contacts[0]["CreatedById"] == crm.rep_connection.remote_user_id
    (task,) = [t for t in crm.tasks() if t["WhoId"] == contacts[0]["Id"]]
    sync = WritebackJob.objects.filter(action=JobAction.PROSPECT_SYNC).order_by("-id").first()
    assert sync.status == JobStatus.SUCCEEDED and sync.remote_id == contacts[0]["Id"]
    assert "Region__c skipped:" in WritebackAttempt.objects.get(job=sync).message
    assert skipped(WritebackAttempt.objects.get(job=sync)) == [("Contact", "Region__c", "gone")]
    assert second_task_job().status == JobStatus.SUCCEEDED and second_task_job().remote_id == task["Id"]
    assert len(crm.tasks()) == 2


def test_payload_warnings_are_recorded_on_every_attempt(crm):
    crm.control.add_fields(crm.org.org_id, "Task", [{"name": "sb_callresult__c", "type": "string", "length": 5}])
    DescribeCache.objects.all().delete()
    TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind="call", target_field="sb_callresult__c",
                                    source="variable", value="disposition", position=50)  # fmt: skip
    crm.ingest([activity_event(1, rep=crm.rep)])  # disposition "Connected": 9 characters
    (task,) = crm.tasks()
    assert task["sb_callresult__c"] == "Conne"
    job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
    assert job.status == JobStatus.SUCCEEDED
    assert "sb_callresult__c cut to 5 characters." in WritebackAttempt.objects.get(job=job).message
    assert WritebackAttempt.objects.get(job=job).skipped_fields == [
        {"sobject": "Task", "field": "sb_callresult__c", "reason": "cut", "detail": "cut to 5 characters."}
    ]


def test_when_the_refresh_itself_fails_the_job_retries_later(mapped, sandbox):
    crm = mapped
    crm.control.delete_fields(crm.org.org_id, "Task", [FIELD])
    sandbox.control.fault(method="GET", path="/services/data/*/sobjects/Task/describe*", status=503,
                          org=crm.org.org_id)  # fmt: skip
    try:
        crm.ingest([call(2, crm.rep)])
    finally:
        sandbox.control.clear_faults()
    job = second_task_job()
    assert job.status == JobStatus.PENDING and job.attempts == 1  # backs off: nothing is known to be wrong for good
    assert len(crm.tasks()) == 1

    crm.drain(now=timezone.now() + timedelta(hours=3))
    assert_written_without_field(crm, attempts=2)


# -- SMS opt-outs: the mapped checkbox deleted, made read-only, or changed since we cached its describe -------------
OPT_OUT = "SMS_Opt_Out__c"
DANA = {"email": "dana@example.org", "first_name": "Dana", "last_name": "Opt", "company": {"name": "Opt Co"}}


@pytest.fixture
def opted(crm):
    """A Contact written by the rep (their describe of Contact, with the opt-out field, is cached)."""
    from mappings.models import OptOutField

    crm.control.add_field(crm.org.org_id, "Contact", OPT_OUT, "boolean")
    DescribeCache.objects.all().delete()
    OptOutField.objects.create(workspace=crm.workspace, sobject="Contact", target_field=OPT_OUT)
    crm.ingest([activity_event(1, rep=crm.rep, prospect=DANA)])
    assert DescribeCache.objects.filter(connection=crm.rep_connection, sobject="Contact").exists()
    return crm


def opt_out(crm) -> WritebackJob:
    crm.ingest([{"type": "opt_out", "channel": "sms", "prospect": DANA}])
    return WritebackJob.objects.get(action=JobAction.OPTOUT_WRITE)


def dana(crm) -> dict:
    (row,) = [c for c in crm.records("Contact") if c["Email"] == DANA["email"]]
    return row


def assert_skipped_over_the_field(crm, job: WritebackJob, *, why: str) -> None:
    assert job.status == JobStatus.SKIPPED, (job.last_error_code, job.last_error_message)
    assert job.last_error_code == "OPT_OUT_FIELD_UNWRITABLE"
    assert f"{OPT_OUT} on Contact" in job.last_error_message and why in job.last_error_message
    assert crm.rep.email in job.last_error_message
    assert job.fix_url == f"/w/{crm.workspace.slug}/settings/crm/opt-out/"
    attempt = WritebackAttempt.objects.get(job=job)
    assert attempt.outcome == AttemptOutcome.SKIPPED and attempt.error_code == "OPT_OUT_FIELD_UNWRITABLE"
    assert OPT_OUT in attempt.message
    # The activity page shows the skip with the link to the setting.
    page = logged_in_client(crm.owner).get(f"/w/{crm.workspace.slug}/activity/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="skipped-jobs"' in html and OPT_OUT in html and f'href="{job.fix_url}"' in html


def test_opt_out_field_deleted_in_salesforce_is_skipped_naming_the_field(opted):
    crm = opted
    crm.control.delete_fields(crm.org.org_id, "Contact", [OPT_OUT])
    crm.control.clear_requests()
    job = opt_out(crm)
    assert_skipped_over_the_field(crm, job, why="no longer exists")
    paths = [r["path"] for r in crm.control.requests(org=crm.org.org_id)]
    assert [p for p in paths if "/sobjects/Contact/describe" in p]  # decided on a fresh describe, not the cache
    assert OPT_OUT not in dana(crm)


def test_opt_out_field_read_only_for_the_rep_is_skipped_naming_the_field(opted):
    crm = opted
    crm.control.set_permissions(crm.org.org_id, REP_PROFILE, fields={f"Contact.{OPT_OUT}": "read"})
    job = opt_out(crm)
    assert_skipped_over_the_field(crm, job, why="read-only")
    assert dana(crm)[OPT_OUT] is False


def test_opt_out_field_changed_since_cached_is_written_after_the_refresh(opted):
    crm = opted
    # Recreated in Setup as a date/time ("SMS opted out at"): our cached describe still says checkbox.
    crm.control.delete_fields(crm.org.org_id, "Contact", [OPT_OUT])
    crm.control.add_field(crm.org.org_id, "Contact", OPT_OUT, "datetime")
    job = opt_out(crm)
    assert job.status == JobStatus.SUCCEEDED, (job.last_error_code, job.last_error_message)
    assert job.attempts == 1
    assert dana(crm)[OPT_OUT].startswith(str(timezone.now().year))
    assert DescribeCache.objects.get(connection=crm.rep_connection, sobject="Contact").payload  # refreshed copy
    fields = DescribeCache.objects.get(connection=crm.rep_connection, sobject="Contact").payload["fields"]
    assert next(f for f in fields if f["name"] == OPT_OUT)["type"] == "datetime"


def test_opt_out_field_missing_from_a_stale_cache_is_still_written(opted):
    crm = opted
    # Our cached copy predates the field (it was re-created since): Salesforce is asked, not the cache.
    cache = DescribeCache.objects.get(connection=crm.rep_connection, sobject="Contact")
    cache.payload = {**cache.payload, "fields": [f for f in cache.payload["fields"] if f["name"] != OPT_OUT]}
    cache.save()
    job = opt_out(crm)
    assert job.status == JobStatus.SUCCEEDED, (job.last_error_code, job.last_error_message)
    assert dana(crm)[OPT_OUT] is True


# -- The Task External ID field deleted from the org: fall back to the Description marker ------------------------
KEY = "sb_activity_key__c"


@pytest.fixture
def keyed(crm):
    crm.control.add_fields(crm.org.org_id, "Task", [{"name": KEY, "type": "string", "external_id": True,
                                                    "unique": True}])  # fmt: skip
    DescribeCache.objects.all().delete()
    crm.ingest([activity_event(1, rep=crm.rep, email="dana@example.org")])
    (task,) = crm.tasks()
    assert task[KEY] == f"{crm.workspace.pk}-{WritebackJob.objects.get(action=JobAction.TASK_CREATE).activity_id}"
    return crm


def replay_as_if_the_worker_died(external_id: str) -> WritebackJob:
    """The Task landed but the worker died before settling: the job's lease runs out with nothing recorded."""
    from activities.models import Activity

    Activity.objects.filter(external_id=external_id).update(salesforce_task_id="", written_at=None)
    job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id=external_id)
    WritebackJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING,
                                                  lease_until=timezone.now() - timedelta(minutes=1))  # fmt: skip
    return job


def assert_one_task_per_activity(crm) -> None:
    from activities.models import Activity

    tasks = crm.tasks()
    assert len(tasks) == Activity.objects.count()
    for activity in Activity.objects.all():
        marker = f"[switchboard:{crm.workspace.pk}-{activity.pk}]"
        (task,) = [t for t in tasks if marker in (t.get("Description") or "")]
        assert activity.salesforce_task_id == task["Id"]
        assert task["OwnerId"] == crm.rep_connection.remote_user_id
    assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


def test_task_external_id_deleted_falls_back_to_the_marker(keyed):
    crm = keyed
    crm.control.delete_fields(crm.org.org_id, "Task", [KEY])
    # A known prospect and a new one (its Task points at the Contact created in the same Composite call).
    crm.ingest([activity_event(2, rep=crm.rep, email="dana@example.org"), activity_event(3, rep=crm.rep)])
    for external_id in ("act-2", "act-3"):
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id=external_id)
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1, (job.last_error_code, job.last_error_message)
        assert "Description marker" in WritebackAttempt.objects.get(job=job).message
        assert skipped(WritebackAttempt.objects.get(job=job)) == [("Task", KEY, "gone")]
    assert len(crm.records("Contact")) == 2

    first = replay_as_if_the_worker_died("act-1")
    crm.drain()
    assert WritebackJob.objects.get(pk=first.pk).status == JobStatus.SUCCEEDED
    assert_one_task_per_activity(crm)


def test_replay_while_the_cache_still_lists_the_deleted_external_id(keyed):
    crm = keyed
    crm.control.delete_fields(crm.org.org_id, "Task", [KEY])
    first = replay_as_if_the_worker_died("act-1")
    # Its replay and a new activity in one batch; the lookup by External ID is refused, then done by marker.
    crm.ingest([activity_event(2, rep=crm.rep, email="dana@example.org")])
    assert WritebackJob.objects.get(pk=first.pk).status == JobStatus.SUCCEEDED
    assert_one_task_per_activity(crm)
