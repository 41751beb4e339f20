"""The minute tick: per workspace, resume what paused or died, start first imports, incremental runs when their
interval is due (default 5 minutes, per workspace), a reconcile every RECONCILE_EVERY, a field backfill for fields
mapped since an object's import (services/backfill.py), and an index pass for fields made filterable since the last
one (sync/indexes.py)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from integrations.models import Connection, ConnectionKind, ConnectionStatus
from sync.indexes import filter_indexes_enqueue_changed
from sync.models import ObjectSyncState, SyncRun
from sync.services.backfill import backfill_start_due
from sync.services.runs import run_enqueue, run_start, runs_due_resume, sync_objects_ensure, sync_settings_get
from sync.types import ACTIVE_RUN_STATUSES, RunKind, RunStatus

logger = logging.getLogger(__name__)

RECONCILE_EVERY = dt.timedelta(hours=getattr(settings, "SYNC_RECONCILE_EVERY_HOURS", 6))


def sync_tick() -> None:
    for run_id in runs_due_resume():
        run_enqueue(run_id=run_id)
    connections = Connection.objects.filter(
        kind=ConnectionKind.ADMIN, status=ConnectionStatus.CONNECTED
    ).select_related("workspace")
    for connection in connections:
        workspace_tick(connection=connection)


def workspace_tick(*, connection: Connection, now: dt.datetime | None = None) -> list[SyncRun]:
    workspace = connection.workspace
    sync_settings = sync_settings_get(workspace=workspace)
    if not sync_settings.enabled:
        return []
    now = now or timezone.now()
    configs = [c for c in sync_objects_ensure(workspace=workspace) if c.enabled]
    filter_indexes_enqueue_changed(workspace_id=workspace.pk)  # a field made filterable gets its index within a minute
    active = SyncRun.objects.filter(workspace=workspace, status__in=ACTIVE_RUN_STATUSES)
    started: list[SyncRun] = []
    states = {s.object_config_id: s for s in ObjectSyncState.objects.filter(object_config__in=configs)}
    never_imported = [c.sobject for c in configs if states[c.pk].imported_at is None]
    if never_imported and not active.filter(kind=RunKind.FULL).exists():
        run = run_start(workspace=workspace, connection=connection, kind=RunKind.FULL, sobjects=never_imported)
        started += [run] if run else []
    if active.filter(kind=RunKind.FULL, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        return started  # a full run is moving data; incremental runs wait for it
    backfill = backfill_start_due(workspace=workspace, connection=connection, now=now)  # fields mapped since import
    started += [backfill] if backfill else []
    if active.filter(kind__in=[RunKind.INCREMENTAL, RunKind.RECONCILE]).exists():
        return started
    last_reconcile = SyncRun.objects.filter(workspace=workspace, kind=RunKind.RECONCILE).first()
    if last_reconcile is None or now - last_reconcile.created_at >= RECONCILE_EVERY:
        started.append(run_start(workspace=workspace, connection=connection, kind=RunKind.RECONCILE))
        return started
    # A reconcile brings every object current too, so it counts as the latest incremental run.
    last = SyncRun.objects.filter(workspace=workspace, kind__in=[RunKind.INCREMENTAL, RunKind.RECONCILE]).first()
    if last is None or now - last.created_at >= dt.timedelta(minutes=sync_settings.interval_minutes):
        started.append(run_start(workspace=workspace, connection=connection, kind=RunKind.INCREMENTAL))
    return started
