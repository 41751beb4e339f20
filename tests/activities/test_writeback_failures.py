"""Each failure class injected with the sandbox's fault API, and what the ledger does about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import AttemptOutcome, JobAction, JobStatus, Prospect, WritebackAttempt, WritebackJob
from integrations.models import Connection
from integrations.services.metadata import describe_get
from mappings.models import TaskFieldMapping
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db
COLLECTIONS = "/services/data/*/composite*"


def later(hours: float = 3):
    return timezone.now() + timedelta(hours=hours)


def task_job() -> WritebackJob:
    return WritebackJob.objects.get(action=JobAction.TASK_CREATE)


@pytest.fixture(autouse=True)
def _clear_faults(sandbox):
    yield
    sandbox.control.clear_faults()


class TestRetryLater:
    @pytest.mark.parametrize(
        "fault",
        [
            {"status": 400, "error_code": "UNABLE_TO_LOCK_ROW"},
            {"status": 503},
            {"action": "drop"},
            {"status": 429, "body": "Too Many Requests"},
        ],
        ids=["row-lock", "503", "dropped-connection", "429"],
    )
    def test_transient_failure_backs_off_then_writes(self, crm, fault):
        crm.control.fault(method="POST", path=COLLECTIONS, times=1, org=crm.org.org_id, **fault)
        crm.ingest([activity_event(1, rep=crm.rep)])
        job = task_job()
        assert job.status == JobStatus.PENDING and job.attempts == 1
        assert job.next_attempt_at > timezone.now()
        assert crm.tasks() == []
        attempt = WritebackAttempt.objects.filter(job=job).get()
        assert attempt.outcome == AttemptOutcome.RETRY and attempt.error_code

        crm.drain(now=later())
        assert len(crm.tasks()) == 1
        assert task_job().status == JobStatus.SUCCEEDED
        assert WritebackAttempt.objects.filter(job=job).count() == 2

    def test_gives_up_after_five_attempts(self, crm):
        crm.control.fault(method="POST", path=COLLECTIONS, status=503, org=crm.org.org_id)
        crm.ingest([activity_event(1, rep=crm.rep)])
        for _ in range(6):
            crm.drain(now=later(24))
        job = task_job()
        assert job.status == JobStatus.FAILED and job.attempts == 5
        assert "Gave up after 5 attempts" in job.last_error_message
        assert crm.tasks() == []

    def test_row_lock_on_the_first_call_retries_the_whole_batch(self, crm):
        # The first Composite call (the lookup) is refused with a lock error: every job of the batch backs off.
        # A lock on one record inside a Collections answer: test_writeback_rules.
        crm.control.fault(method="POST", path=COLLECTIONS, status=400, error_code="UNABLE_TO_LOCK_ROW", times=1,
                          org=crm.org.org_id)  # fmt: skip
        crm.ingest([activity_event(n, rep=crm.rep) for n in range(3)])
        crm.drain(now=later())
        assert len(crm.tasks()) == 3
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


class TestBudget:
    def test_daily_limit_reached_waits_for_budget(self, crm):
        crm.control.fault(method="POST", path=COLLECTIONS, status=403, error_code="REQUEST_LIMIT_EXCEEDED", times=1,
                          org=crm.org.org_id)  # fmt: skip
        crm.ingest([activity_event(1, rep=crm.rep)])
        job = task_job()
        assert job.status == JobStatus.WAITING_BUDGET and job.attempts == 0
        crm.drain(now=later())
        assert len(crm.tasks()) == 1

    def test_over_our_ceiling_no_call_is_made(self, crm):
        Connection.objects.filter(workspace=crm.workspace).update(
            api_usage_used=900, api_usage_max=1000, api_usage_at=timezone.now()
        )
        crm.control.clear_requests()
        crm.ingest([activity_event(1, rep=crm.rep)])
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.WAITING_BUDGET}
        assert "80%" in task_job().last_error_message
        assert crm.control.requests(org=crm.org.org_id) == []
        # Later the usage is stale: one /limits call shows budget again and the work goes out.
        Connection.objects.filter(workspace=crm.workspace).update(api_usage_at=timezone.now() - timedelta(hours=1))
        crm.drain(now=later())
        assert len(crm.tasks()) == 1


class TestReconnect:
    def test_revoked_rep_pauses_and_resumes_after_reconnect(self, crm, salesforce_connect):
        crm.control.expire_tokens(crm.org.org_id, refresh_tokens=True)
        crm.ingest([activity_event(1, rep=crm.rep)])
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.WAITING_RECONNECT}
        crm.drain(now=later())  # still broken: nothing moves
        assert crm.tasks() == []
        sf_rep = [u for u in crm.org.users if u.role == "rep"][0]
        salesforce_connect(crm.workspace, crm.rep, crm.org, sandbox_user=sf_rep)
        crm.drain()
        assert len(crm.tasks()) == 1
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}

    def test_reconnect_resumes_paused_jobs_by_itself(self, crm, salesforce_connect):
        crm.control.expire_tokens(crm.org.org_id, refresh_tokens=True)  # the refresh answers invalid_grant
        crm.ingest([activity_event(n, rep=crm.rep) for n in range(3)])
        jobs = WritebackJob.objects.all()
        assert {j.status for j in jobs} == {JobStatus.WAITING_RECONNECT}
        assert {j.attempts for j in jobs} == {0}  # a pause spends no attempt
        crm.rep_connection.refresh_from_db()
        assert crm.rep_connection.status == "reconnect_required"
        assert WritebackAttempt.objects.filter(outcome=AttemptOutcome.RECONNECT).exists()

        sf_rep = [u for u in crm.org.users if u.role == "rep"][0]
        with crm.capture(execute=True):  # no sweep: the reconnect itself wakes the rep's jobs
            salesforce_connect(crm.workspace, crm.rep, crm.org, sandbox_user=sf_rep)

        tasks = crm.tasks()
        assert len(tasks) == 3
        assert {t["CreatedById"] for t in tasks} == {crm.rep_connection.remote_user_id}
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
        assert Connection.objects.filter(pk=crm.rep_connection.pk, status="connected").exists()

    def test_reconnect_of_one_rep_leaves_another_reps_paused_jobs(self, crm, salesforce_connect):
        crm.control.expire_tokens(crm.org.org_id, refresh_tokens=True)
        crm.ingest([activity_event(1, rep=crm.rep), activity_event(2, rep=crm.rep2)])
        sf_rep = [u for u in crm.org.users if u.role == "rep"][0]
        with crm.capture(execute=True):
            salesforce_connect(crm.workspace, crm.rep, crm.org, sandbox_user=sf_rep)
        assert [t["OwnerId"] for t in crm.tasks()] == [crm.rep_connection.remote_user_id]
        waiting = WritebackJob.objects.get(user=crm.rep2, action=JobAction.TASK_CREATE)
        assert waiting.status == JobStatus.WAITING_RECONNECT


class TestPermanent:
    def test_required_field_fails_at_once_with_link_to_creation_defaults(self, crm):
        crm.control.add_field(crm.org.org_id, "Contact", "Region__c", "string", required=True)
        crm.ingest([activity_event(1, rep=crm.rep)])
        sync = WritebackJob.objects.get(action=JobAction.PROSPECT_SYNC)
        assert sync.status == JobStatus.FAILED and sync.attempts == 1
        assert sync.last_error_code == "REQUIRED_FIELD_MISSING"
        assert "Region__c" in sync.last_error_message and "creation defaults" in sync.last_error_message
        assert sync.fix_url == f"/w/{crm.workspace.slug}/settings/crm/defaults/Contact/"
        task = task_job()
        assert task.status == JobStatus.FAILED and "prospect could not be written" in task.last_error_message
        assert crm.tasks() == [] and crm.records("Contact") == []

    def test_read_only_field_is_left_out_after_refreshing_the_reps_describe(self, crm):
        # Not permanent any more: Salesforce's INVALID_FIELD_FOR_INSERT_UPDATE makes the engine refresh the rep's
        # describe, which shows the field read-only, so the Task goes again at once without it. A refusal the
        # fresh describe cannot explain still fails with a link (test_writeback_schema_drift).
        crm.control.add_field(crm.org.org_id, "Task", "Call_Notes__c", "textarea")
        TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind="call", target_field="Call_Notes__c",
                                        source="constant", value="from Switchboard")  # fmt: skip
        crm.control.set_permissions(crm.org.org_id, "Standard User", fields={"Task.Call_Notes__c": "read"})
        # The admin set the mapping up, so the cached describe is theirs: the field looks writable.
        describe_get(connection=crm.admin_connection, sobject="Task")
        crm.ingest([activity_event(1, rep=crm.rep)])
        job = task_job()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1, job.last_error_message
        (task,) = crm.tasks()
        assert not task.get("Call_Notes__c")
        attempt = WritebackAttempt.objects.get(job=job)
        assert "INVALID_FIELD_FOR_INSERT_UPDATE" in attempt.message
        assert "Call_Notes__c skipped: This field is no longer writable for the connected user." in attempt.message
        assert [(s["field"], s["reason"]) for s in attempt.skipped_fields] == [("Call_Notes__c", "not_writable")]

    def test_deleted_contact_fails_then_retry_recreates(self, crm):
        from activities.services.ledger import jobs_retry

        crm.ingest([activity_event(1, rep=crm.rep)])
        contact_id = Prospect.objects.get().salesforce_id
        sf = crm.org.simple_salesforce()
        sf.Contact.delete(contact_id)
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.filter(action=JobAction.TASK_CREATE).order_by("-id").first()
        assert job.status == JobStatus.FAILED, (job.last_error_code, job.last_error_message)
        assert "no longer exists" in job.last_error_message
        assert Prospect.objects.get().salesforce_id == ""
        with crm.capture(execute=True):
            jobs_retry(jobs=[job])
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
        assert len(crm.tasks()) == 2
        assert Prospect.objects.get().salesforce_id not in ("", contact_id)


class TestPerRecord:
    def test_one_bad_record_in_a_batch_fails_alone(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep), activity_event(2, rep=crm.rep)])
        gone = Prospect.objects.get(email="prospect1@example.org").salesforce_id
        crm.org.simple_salesforce().Contact.delete(gone)
        crm.control.clear_requests()
        crm.ingest([activity_event(3, rep=crm.rep, email="prospect1@example.org"),
                    activity_event(4, rep=crm.rep, email="prospect2@example.org")])  # fmt: skip
        third, fourth = (WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id=f"act-{n}")
                         for n in (3, 4))  # fmt: skip
        assert third.status == JobStatus.FAILED and third.last_error_code == "ENTITY_IS_DELETED"
        assert fourth.status == JobStatus.SUCCEEDED
        writes = [r for r in crm.control.requests(org=crm.org.org_id) if r["method"] in ("POST", "PATCH")]
        assert len(writes) == 1  # both records went in the same call
        assert len(crm.tasks()) == 3
