"""Writes start without waiting for the whole backlog to be claimed, and a rep's remaining jobs go out without
the sweep: a full claim queues the next run at once, a run that settled jobs runs again while due ones are left.
Per-prospect order, exactly-once and attempt counts are checked on what reached the org."""

from __future__ import annotations

import pytest

from activities.models import Activity, JobAction, JobStatus, WritebackAttempt, WritebackJob
from activities.services import ledger
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_sweep(monkeypatch):
    from activities import tasks
    from activities.services.writeback import drain

    def sweep(**kwargs):
        raise AssertionError("the sweep must not be needed")

    monkeypatch.setattr(drain, "writeback_drain_due", sweep)
    monkeypatch.setattr(tasks, "_drain", sweep)


def test_a_backlog_larger_than_one_claim_is_written_without_the_sweep_in_prospect_order(crm, settings, no_sweep):
    settings.WRITEBACK_BATCH_LIMIT = 2
    prospect = {"email": "one@example.org", "first_name": "Una", "last_name": "Uno", "company": {"name": "Uno"}}
    events = [activity_event(n, rep=crm.rep, prospect=prospect, completed_at=f"2026-05-01T10:0{n}:00Z")
              for n in range(5)]  # fmt: skip
    events += [activity_event(10 + n, rep=crm.rep) for n in range(3)]  # other prospects, claimed beside them
    crm.ingest(events)

    assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    tasks = crm.tasks()
    assert len(tasks) == 8  # each activity once
    assert sorted(t["Id"] for t in tasks) == sorted(Activity.objects.values_list("salesforce_task_id", flat=True))
    # One prospect's jobs were claimed two at a time and each in its turn: its Tasks were created in event order.
    jobs = WritebackJob.objects.filter(prospect__email="one@example.org").order_by("id")
    assert [j.action for j in jobs][0] == JobAction.PROSPECT_SYNC
    finished = [j.finished_at for j in jobs]
    assert finished == sorted(finished)
    assert set(jobs.values_list("attempts", flat=True)) == {1}
    assert WritebackAttempt.objects.count() == WritebackJob.objects.count()


def test_settling_together_writes_nothing_when_the_block_fails(crm):
    from activities.services.writeback.claim import jobs_claim

    with crm.capture(execute=False):
        from activities.services.ingest import events_ingest

        events_ingest(workspace=crm.workspace, events=[activity_event(1, rep=crm.rep)])
    jobs = jobs_claim(workspace_id=crm.workspace.pk, user_id=crm.rep.pk)
    assert jobs
    with pytest.raises(RuntimeError), ledger.jobs_settle_together():
        for job in jobs:
            ledger.job_succeed(job, remote_id="00T000000000001")
            ledger.attempt_record(job=job, outcome="succeeded", call=None, started=None)
        raise RuntimeError("crash before the flush")
    assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.RUNNING}
    assert not WritebackAttempt.objects.exists()
    with ledger.jobs_settle_together():
        for job in jobs:
            ledger.job_succeed(job, remote_id="00T000000000001")
            ledger.attempt_record(job=job, outcome="succeeded", call=None, started=None)
    assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    assert WritebackAttempt.objects.count() == len(jobs)


def test_settling_together_keeps_the_claim_holder_rule(crm):
    """A run whose claim was taken over (its lease ran out) must not overwrite the newer claim's jobs."""
    from activities.services.ingest import events_ingest
    from activities.services.writeback.claim import jobs_claim

    with crm.capture(execute=False):
        events_ingest(workspace=crm.workspace, events=[activity_event(1, rep=crm.rep)])
    stale = jobs_claim(workspace_id=crm.workspace.pk, user_id=crm.rep.pk)
    WritebackJob.objects.update(claim_token="newer")
    with ledger.jobs_settle_together():
        for job in stale:
            ledger.job_succeed(job, remote_id=f"00T00000000000{job.pk}")
    assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.RUNNING}
    assert set(WritebackJob.objects.values_list("remote_id", flat=True)) == {""}
