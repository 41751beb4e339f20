"""Stopping and resuming: the API ceiling reached mid-run, cancellation. (A worker killed mid-batch: in a real
worker process, test_kill_worker.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappings.models import CrmSettings
from sync import records as records_module
from sync.models import SyncedRecord, SyncRun
from sync.services import full as full_module
from sync.services.runs import full_sync_start, run_cancel, run_execute
from sync.types import RunStatus, StepStatus

pytestmark = pytest.mark.django_db

TOTAL = 1000


@pytest.fixture
def thousand_contacts(org_control, monkeypatch):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": f"P{i:04d}"} for i in range(TOTAL)], return_ids=False)
    monkeypatch.setattr(full_module, "REST_MAX_RECORDS", 10)
    monkeypatch.setattr(full_module, "BULK_PAGE_SIZE", 100)
    monkeypatch.setattr(full_module, "BATCH_SIZE", 40)  # batches do not line up with pages on purpose


def bulk_requests(control, org, kind):
    log = control.requests(org=org)
    if kind == "create":
        return [r for r in log if r["method"] == "POST" and r["path"].endswith("/jobs/query")]
    return [r for r in log if r["path"].endswith("/results")]


def make_due(run):
    SyncRun.objects.filter(pk=run.pk).update(resume_after=timezone.now() - dt.timedelta(seconds=1))


def test_api_ceiling_reached_mid_run_pauses_and_resumes_from_checkpoint(
    workspace, sf_connection, org_control, thousand_contacts
):
    control, org = org_control
    CrmSettings.objects.create(workspace=workspace, api_budget_percent=50)
    control.settings(org, api_limit=1000, api_used=490)  # ceiling 500: about ten calls left

    run = run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)

    assert run.status == RunStatus.PAUSED_BUDGET
    assert run.error_code == "API_BUDGET"
    step = run.steps.get()
    assert 0 < step.records_done < TOTAL
    assert SyncedRecord.objects.filter(workspace=workspace).count() == step.records_done
    pages_before = len(bulk_requests(control, org, "results"))

    control.settings(org, api_used=0)  # the rolling window freed budget
    make_due(run)
    run = run_execute(run_id=run.pk)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert SyncedRecord.objects.filter(workspace=workspace, is_deleted=False).count() == TOTAL
    assert len(bulk_requests(control, org, "create")) == 1  # same Bulk job, no new export
    # Every page read exactly once across both workers: no re-download.
    assert pages_before + (TOTAL // 100 - pages_before) == len(bulk_requests(control, org, "results"))
    assert run.steps.get().records_done == TOTAL


def test_cancel_stops_between_batches_and_aborts_the_job(
    workspace, sf_connection, org_control, thousand_contacts, monkeypatch
):
    control, org = org_control
    run = full_sync_start(workspace=workspace, sobjects=["Contact"])
    real_upsert = records_module.params_upsert

    def upsert_then_cancel(records, **kwargs):
        result = real_upsert(records, **kwargs)
        run_cancel(run=SyncRun.objects.get(pk=run.pk))
        return result

    monkeypatch.setattr(full_module, "params_upsert", upsert_then_cancel)
    run = run_execute(run_id=run.pk)

    assert run.status == RunStatus.CANCELLED
    assert run.steps.get().status != StepStatus.DONE
    assert SyncedRecord.objects.filter(workspace=workspace).count() == 40
    aborts = [r for r in control.requests(org=org) if r["method"] == "PATCH" and "/jobs/query/" in r["path"]]
    assert len(aborts) == 1


def test_cancel_of_a_queued_run_is_immediate(workspace, sf_connection):
    run = full_sync_start(workspace=workspace)
    assert run_cancel(run=run)
    assert run.status == RunStatus.CANCELLED
    assert run_execute(run_id=run.pk) is None


def test_a_queued_run_whose_task_was_lost_is_enqueued_again(sf_connection, django_capture_on_commit_callbacks):
    """A cluster killed while holding a run's task loses it; the run stayed queued for ever and, being active, kept
    the tick from starting any other run for the workspace."""
    from sync.models import ObjectSyncState
    from sync.services import scheduler
    from sync.services.runs import run_start, runs_due_resume, sync_objects_ensure
    from sync.types import RunKind

    workspace = sf_connection.workspace
    configs = sync_objects_ensure(workspace=workspace)
    ObjectSyncState.objects.filter(object_config__in=configs).update(imported_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):  # the task never reaches a worker
        run = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL)
    assert run.pk not in runs_due_resume()  # a task only just enqueued is not lost yet
    assert run.pk in runs_due_resume(now=timezone.now() + dt.timedelta(minutes=6))

    SyncRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=6))
    enqueued = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scheduler, "run_enqueue", lambda *, run_id: enqueued.append(run_id))
        patch.setattr(scheduler, "workspace_tick", lambda **kwargs: [])
        scheduler.sync_tick()
    assert enqueued == [run.pk]
    run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
