"""Reconcile and the scheduler tick: a gap found by the count check is repaired by a targeted resync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from integrations.providers.salesforce.client import SalesforceClient
from sync.models import ObjectSyncState, SyncedRecord, SyncRun
from sync.services.runs import full_sync_start, run_execute, run_start
from sync.services.scheduler import workspace_tick
from sync.types import ReconcileResult, RunKind, RunStatus
from tests.sync.conftest import sf_stamp

pytestmark = pytest.mark.django_db


def state_of(workspace, sobject="Contact"):
    return ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject=sobject)


def test_reconcile_finds_a_gap_and_a_targeted_resync_repairs_it(
    workspace, sf_connection, org_control, django_capture_on_commit_callbacks
):
    control, org = org_control
    old = sf_stamp(timezone.now() - dt.timedelta(hours=2))  # outside the overlap: no window re-reads them
    control.load_records(
        org, "Contact", [{"LastName": f"P{i}", "Email": f"p{i}@x.test", "SystemModstamp": old} for i in range(6)]
    )
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    control.load_records(org, "Contact", [{"LastName": "New", "Email": "new@x.test"}])  # moves the checkpoint on
    run_execute(
        run_id=run_start(
            workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"]
        ).pk
    )
    # A gap: a row lost locally (e.g. restored from an old backup) that no SystemModstamp window will bring back.
    SyncedRecord.objects.filter(workspace=workspace, email="p2@x.test").delete()

    reconcile = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.RECONCILE, sobjects=["Contact"])
    with django_capture_on_commit_callbacks(execute=True):
        reconcile = run_execute(run_id=reconcile.pk)

    assert reconcile.status == RunStatus.SUCCEEDED
    state = state_of(workspace)
    assert state.reconcile_result == ReconcileResult.MISMATCH
    assert (state.reconcile_local, state.reconcile_remote) == (6, 7)
    resync = SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL).first()
    assert resync.status == RunStatus.SUCCEEDED  # ran inline (Q_CLUSTER sync in tests)
    assert list(resync.steps.values_list("sobject", flat=True)) == ["Contact"]
    assert SyncedRecord.objects.filter(workspace=workspace, is_deleted=False).count() == 7

    again = run_execute(
        run_id=run_start(workspace=workspace, connection=sf_connection, kind=RunKind.RECONCILE, sobjects=["Contact"]).pk
    )
    assert again.status == RunStatus.SUCCEEDED
    assert state_of(workspace).reconcile_result == ReconcileResult.MATCH


def test_reconcile_respects_filters(workspace, sf_connection, org_control):
    from sync.models import SyncFilter, SyncObjectConfig
    from sync.services.runs import sync_objects_ensure

    control, org = org_control
    control.load_records(
        org, "Account", [{"Name": "C1", "Type": "Customer - Direct"}, {"Name": "P1", "Type": "Prospect"}]
    )
    sync_objects_ensure(workspace=workspace)
    config = SyncObjectConfig.objects.get(workspace=workspace, sobject="Account")
    SyncFilter.objects.create(object_config=config, field="Type", operator="in", values=["Customer - Direct"])
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Account"]).pk)
    assert set(SyncedRecord.objects.filter(workspace=workspace).values_list("name", flat=True)) == {"C1"}

    run_execute(
        run_id=run_start(workspace=workspace, connection=sf_connection, kind=RunKind.RECONCILE, sobjects=["Account"]).pk
    )
    assert state_of(workspace, "Account").reconcile_result == ReconcileResult.MATCH


def test_deleted_window_passed_falls_back_to_a_full_reconcile(
    workspace, sf_connection, org_control, django_capture_on_commit_callbacks
):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A"}])
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    ObjectSyncState.objects.filter(pk=state_of(workspace).pk).update(
        covered_until=timezone.now() - dt.timedelta(days=20)
    )

    run = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"])
    with django_capture_on_commit_callbacks(execute=True):
        run = run_execute(run_id=run.pk)

    assert run.steps.get().error_code == "FULL_RECONCILE"
    assert SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL).count() == 2
    assert state_of(workspace).covered_until > timezone.now() - dt.timedelta(minutes=5)


def stop_worker_for(workspace, hours):
    """As if no run had covered the object for `hours` (a stopped worker): only our side's bookmark moves."""
    ObjectSyncState.objects.filter(pk=state_of(workspace).pk).update(
        covered_until=timezone.now() - dt.timedelta(hours=hours)
    )


def get_deleted_calls(control, org):
    return [r for r in control.requests(org) if r["path"].endswith("/sobjects/Contact/deleted/")]


def test_deleted_log_starting_after_our_last_run_falls_back_to_a_full_reconcile(
    workspace, sf_connection, org_control, django_capture_on_commit_callbacks
):
    control, org = org_control
    old = sf_stamp(timezone.now() - dt.timedelta(hours=4))
    keep, gone = control.load_records(
        org,
        "Contact",
        [
            {"LastName": "Keep", "Email": "keep@x.test", "SystemModstamp": old},
            {"LastName": "Gone", "Email": "gone@x.test", "SystemModstamp": old},
        ],
    )
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    stop_worker_for(workspace, hours=3)
    # Meanwhile "Gone" was deleted and the recycle bin emptied: queryAll no longer returns it, and getDeleted's log
    # now starts after our last covered window.
    SalesforceClient(sf_connection).delete("Contact", gone)
    deleted_at = next(r for r in control.records(org, "Contact") if r["Id"] == gone)["SystemModstamp"]
    log_start = dt.datetime.fromisoformat(deleted_at) + dt.timedelta(seconds=1)
    control.settings(org, deleted_log_start=log_start.isoformat())
    assert gone not in {r["Id"] for r in control.records(org, "Contact")}

    run = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"])
    with django_capture_on_commit_callbacks(execute=True):
        run = run_execute(run_id=run.pk)

    assert run.status == RunStatus.SUCCEEDED
    step = run.steps.get()
    assert (step.error_code, step.error_message) == (
        "FULL_RECONCILE",
        "Salesforce's deleted-records log starts after our last run.",
    )
    assert len(get_deleted_calls(control, org)) == 1
    resync = SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL).first()  # newest first
    assert resync.status == RunStatus.SUCCEEDED  # ran inline (Q_CLUSTER sync in tests)
    assert list(resync.steps.values_list("sobject", flat=True)) == ["Contact"]
    # The full sync did not see "Gone" and swept it; the delete no log could tell us about is not missed.
    assert SyncedRecord.objects.get(workspace=workspace, sf_id=gone).is_deleted
    assert not SyncedRecord.objects.get(workspace=workspace, sf_id=keep).is_deleted
    state = state_of(workspace)
    assert state.covered_until > timezone.now() - dt.timedelta(minutes=5)
    assert state.deleted_window_checked_at is not None


def test_deleted_log_covering_our_last_run_keeps_the_incremental_window(workspace, sf_connection, org_control):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A", "Email": "a@x.test"}])
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    stop_worker_for(workspace, hours=3)
    control.settings(org, deleted_log_start=(timezone.now() - dt.timedelta(hours=5)).isoformat())
    control.load_records(org, "Contact", [{"LastName": "B", "Email": "b@x.test"}])

    run = run_execute(
        run_id=run_start(
            workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"]
        ).pk
    )

    assert run.status == RunStatus.SUCCEEDED
    assert run.steps.get().error_code == ""
    assert len(get_deleted_calls(control, org)) == 1  # asked, and the log covers the gap
    assert SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL).count() == 1  # only the import
    live = SyncedRecord.objects.filter(workspace=workspace, is_deleted=False)
    assert set(live.values_list("email", flat=True)) == {"a@x.test", "b@x.test"}


def test_tick_starts_first_import_then_reconcile_then_incremental_on_interval(workspace, sf_connection, org_control):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A"}])
    (first,) = workspace_tick(connection=sf_connection)
    assert first.kind == RunKind.FULL
    assert workspace_tick(connection=sf_connection) == []  # nothing else while the import is queued
    run_execute(run_id=first.pk)

    (second,) = workspace_tick(connection=sf_connection)
    assert second.kind == RunKind.RECONCILE
    run_execute(run_id=second.pk)
    assert workspace_tick(connection=sf_connection) == []  # interval not due yet
    (third,) = workspace_tick(connection=sf_connection, now=timezone.now() + dt.timedelta(minutes=6))
    assert third.kind == RunKind.INCREMENTAL
