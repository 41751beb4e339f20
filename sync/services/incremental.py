"""Incremental sync: per object, every change since the checkpoint minus an overlap, through `queryAll`.

- Window: `SystemModstamp >= checkpoint - overlap ORDER BY SystemModstamp, Id`. `>=` re-reads records tied on the
  checkpoint's timestamp; the overlap (default 10 min) re-reads records whose transaction committed after a window
  was read but carry an earlier SystemModstamp. Upserts are idempotent, so re-reading costs nothing but bandwidth.
- Deletes and undeletes: queryAll returns deleted rows (IsDeleted = true) whose SystemModstamp moved; an undelete
  moves it again with IsDeleted = false.
- The checkpoint advances only in the transaction that commits the page it covers.
- Deleted-records window: Salesforce keeps deleted rows (and the getDeleted log) ~15 days. If our last covered run
  is older than that, or getDeleted says its log starts after it, deletes may have been missed: a full reconcile
  (targeted full sync, which sweeps what it does not see) is started instead.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from integrations.errors import FailWithReason
from sync.models import ObjectSyncState, SyncObjectConfig, SyncRunStep
from sync.records import RecordBuilder, records_upsert
from sync.schema import object_resolve
from sync.services.runs import RunContext
from sync.types import StepMode, StepStatus

logger = logging.getLogger(__name__)

DELETED_WINDOW = dt.timedelta(days=getattr(settings, "SYNC_DELETED_WINDOW_DAYS", 14))
"""Salesforce's 15 days, minus a day of margin."""
GETDELETED_CHECK_AFTER = dt.timedelta(hours=1)
"""Gaps longer than this (a stopped worker) are checked against getDeleted's earliestDateAvailable."""


class NeedsFullReconcile(Exception):
    pass


def incremental_run_execute(ctx: RunContext) -> None:
    for step in ctx.run.steps.exclude(status=StepStatus.DONE).order_by("position"):
        incremental_step_execute(ctx, step)


def incremental_step_execute(ctx: RunContext, step: SyncRunStep) -> None:
    from sync.services.runs import full_sync_start

    run = ctx.run
    config = SyncObjectConfig.objects.get(workspace=run.workspace, sobject=step.sobject)
    state, _ = ObjectSyncState.objects.get_or_create(object_config=config)
    if state.imported_at is None:
        _step_end(step, StepStatus.DONE, code="NOT_IMPORTED", message="Waiting for the first full import.")
        return
    step.status, step.mode = StepStatus.RUNNING, StepMode.REST
    step.save(update_fields=["status", "mode"])
    calls_before = ctx.client.api_calls
    try:
        _deleted_window_check(ctx, config, state)
        _read_window(ctx, step, config, state)
    except NeedsFullReconcile as exc:
        full_sync_start(workspace=run.workspace, sobjects=[step.sobject])
        _step_end(step, StepStatus.DONE, code="FULL_RECONCILE", message=str(exc))
        return
    except FailWithReason as exc:
        step.api_calls = ctx.client.api_calls - calls_before
        _step_end(step, StepStatus.FAILED, code=exc.code, message=exc.message)
        ObjectSyncState.objects.filter(pk=state.pk).update(
            last_run_at=timezone.now(),
            last_error_code=exc.code,
            last_error_message=exc.message,
            last_error_at=timezone.now(),
        )
        return
    now = timezone.now()
    calls = ctx.client.api_calls - calls_before
    ObjectSyncState.objects.filter(pk=state.pk).update(
        last_run_at=now,
        last_success_at=now,
        covered_until=run.started_at or now,
        last_run_records=step.records_done,
        last_run_deletes=step.deletes,
        last_run_api_calls=calls,
        api_calls_total=state.api_calls_total + calls,
        last_error_code="",
        last_error_message="",
    )
    step.api_calls = calls
    _step_end(step, StepStatus.DONE)


def _step_end(step: SyncRunStep, status: str, *, code: str = "", message: str = "") -> None:
    step.status, step.error_code, step.error_message, step.finished_at = status, code, message, timezone.now()
    step.save(update_fields=["status", "error_code", "error_message", "finished_at", "api_calls"])


def _deleted_window_check(ctx: RunContext, config: SyncObjectConfig, state: ObjectSyncState) -> None:
    if state.covered_until is None:
        return
    gap = timezone.now() - state.covered_until
    if gap > DELETED_WINDOW:
        raise NeedsFullReconcile(f"Last covered {gap.days} days ago: Salesforce no longer lists older deletes.")
    if gap <= GETDELETED_CHECK_AFTER:
        return
    start = state.covered_until - ctx.overlap
    ctx.budget.check()
    answer = ctx.client.request_json(
        "GET",
        f"/sobjects/{config.sobject}/deleted/",
        params={"start": _iso(start), "end": _iso(timezone.now())},
    )
    ObjectSyncState.objects.filter(pk=state.pk).update(deleted_window_checked_at=timezone.now())
    earliest = (answer or {}).get("earliestDateAvailable")
    if earliest and dt.datetime.fromisoformat(earliest) > start:
        raise NeedsFullReconcile("Salesforce's deleted-records log starts after our last run.")


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _read_window(ctx: RunContext, step: SyncRunStep, config: SyncObjectConfig, state: ObjectSyncState) -> None:
    client = ctx.client
    resolved = object_resolve(config=config, state=state, connection=ctx.run.connection, client=client)
    since = state.checkpoint_modstamp - ctx.overlap if state.checkpoint_modstamp else None
    ctx.budget.check()
    try:
        page = client.query(resolved.query.window(since), include_deleted=True)
    except FailWithReason as exc:
        if exc.code != "INVALID_FIELD":
            raise
        # A mapped field vanished since describe was cached: describe again, pause it, keep the rest syncing.
        resolved = object_resolve(
            config=config, state=state, connection=ctx.run.connection, client=client, force_describe=True
        )
        page = client.query(resolved.query.window(since), include_deleted=True)
    builder = RecordBuilder(workspace_id=ctx.run.workspace_id, sobject=config.sobject, field_types=resolved.field_types)
    while True:
        batch = [builder.from_json(r) for r in page.get("records", [])]
        if batch:
            _commit(ctx, step, state, batch)
        if page.get("done", True) or not page.get("nextRecordsUrl"):
            return
        ctx.budget.check()
        page = client.query_more(page["nextRecordsUrl"])


def _commit(ctx: RunContext, step: SyncRunStep, state: ObjectSyncState, batch) -> None:
    deletes = sum(1 for r in batch if r.is_deleted)
    newest = batch[-1]  # ORDER BY SystemModstamp, Id
    with transaction.atomic():
        records_upsert(batch)
        if state.checkpoint_modstamp is None or newest.system_modstamp >= state.checkpoint_modstamp:
            state.checkpoint_modstamp, state.checkpoint_id = newest.system_modstamp, newest.sf_id
            ObjectSyncState.objects.filter(pk=state.pk).update(
                checkpoint_modstamp=state.checkpoint_modstamp, checkpoint_id=state.checkpoint_id
            )
        step.records_done += len(batch)
        step.deletes += deletes
        step.after_modstamp, step.after_id = newest.system_modstamp, newest.sf_id
        step.save(update_fields=["records_done", "deletes", "after_modstamp", "after_id"])
    ctx.heartbeat(records=len(batch), deletes=deletes)
