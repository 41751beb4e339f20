"""Reconcile: per object, bring the copy current, then compare the local live count with `SELECT COUNT()` over the
same scope. A mismatch seen twice in a row (not a change landing between the two counts) starts a targeted full
resync of that object, which re-reads it and sweeps what Salesforce no longer has; the health page shows it."""

from __future__ import annotations

import logging

from django.utils import timezone

from integrations.errors import FailWithReason
from sync.indexes import filter_indexes_ensure
from sync.models import ObjectSyncState, SyncedRecord, SyncObjectConfig, SyncRunStep
from sync.schema import object_resolve
from sync.services.incremental import incremental_step_execute
from sync.services.runs import RunContext, full_sync_start
from sync.types import ReconcileResult, StepStatus

logger = logging.getLogger(__name__)


def reconcile_run_execute(ctx: RunContext) -> None:
    for step in ctx.run.steps.exclude(status=StepStatus.DONE).order_by("position"):
        reconcile_step_execute(ctx, step)


def _counts(ctx: RunContext, config: SyncObjectConfig, state: ObjectSyncState) -> tuple[int, int]:
    resolved = object_resolve(config=config, state=state, connection=ctx.run.connection, client=ctx.client)
    since = state.imported_at - ctx.overlap if state.imported_at else None
    ctx.budget.check()
    remote = ctx.client.query(resolved.query.count(lookback_or_since=since))["totalSize"]
    local = SyncedRecord.objects.filter(
        workspace_id=ctx.run.workspace_id, sobject=config.sobject, is_deleted=False
    ).count()
    return local, remote


def reconcile_step_execute(ctx: RunContext, step: SyncRunStep) -> None:
    run = ctx.run
    config = SyncObjectConfig.objects.get(workspace=run.workspace, sobject=step.sobject)
    state, _ = ObjectSyncState.objects.get_or_create(object_config=config)
    if state.imported_at is None:
        step.status = StepStatus.DONE
        step.save(update_fields=["status"])
        return
    try:
        for attempt in range(2):
            # Bring the copy current first, so recent changes do not read as a gap.
            step.status = StepStatus.PENDING
            incremental_step_execute(ctx, step)
            if step.status == StepStatus.FAILED:
                return
            state.refresh_from_db()
            local, remote = _counts(ctx, config, state)
            if local == remote:
                result = ReconcileResult.MATCH
                break
            result = ReconcileResult.MISMATCH
            logger.info(
                "sync.reconcile_mismatch",
                extra={"run_id": run.pk, "sobject": step.sobject, "local": local, "remote": remote, "try": attempt},
            )
    except FailWithReason as exc:
        ObjectSyncState.objects.filter(pk=state.pk).update(
            reconcile_result=ReconcileResult.ERROR, reconcile_at=timezone.now(), last_error_code=exc.code,
            last_error_message=exc.message, last_error_at=timezone.now(),
        )  # fmt: skip
        step.status, step.error_code, step.error_message = StepStatus.FAILED, exc.code, exc.message
        step.save(update_fields=["status", "error_code", "error_message"])
        return
    ObjectSyncState.objects.filter(pk=state.pk).update(
        reconcile_result=result, reconcile_local=local, reconcile_remote=remote, reconcile_at=timezone.now()
    )
    if result == ReconcileResult.MISMATCH:
        full_sync_start(workspace=run.workspace, sobjects=[step.sobject])
    filter_indexes_ensure(workspace_id=run.workspace_id, sobject=step.sobject)  # fields made filterable since
    step.status, step.finished_at = StepStatus.DONE, timezone.now()
    step.save(update_fields=["status", "finished_at"])
