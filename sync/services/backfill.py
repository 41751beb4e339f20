"""Field backfill: a data sync field added after an object's import fills in for the records already here.

Incremental windows read a new field only for records that change, so without this the column stays empty for
every other record until someone runs a full sync. Instead, the minute tick compares each imported object's mapped
fields with `ObjectSyncState.fields_complete` (the fields every local record carries) and starts a BACKFILL run for
the difference: per object one REST query of Id, SystemModstamp and just those fields over the copy's scope,
keyset-paged like the REST import, merged into `data` without touching other keys. Each page and its checkpoint
commit together, so a stopped run resumes where it was; the health page shows its progress like a full sync's.

Catches every way a field is added (the data sync page, a history revert, the Django admin), as the filter-index
pass does, because it compares state rather than listening for saves.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from integrations.errors import FailWithReason
from integrations.models import Connection
from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync.models import ObjectSyncState, SyncObjectConfig, SyncRun, SyncRunStep
from sync.records import json_values, records_fields_merge, sf_datetime
from sync.schema import object_resolve
from sync.services.runs import RunContext, _enqueue, sync_objects_ensure
from sync.types import ACTIVE_RUN_STATUSES, RunKind, StepStatus

logger = logging.getLogger(__name__)

PAGE_SIZE = getattr(settings, "SYNC_BACKFILL_PAGE_SIZE", 2000)
"""Records per REST query page (one API call) and per commit."""
RETRY_AFTER = dt.timedelta(minutes=30)
"""An object whose last backfill failed is not tried again sooner: a field Salesforce refuses would otherwise cost
a run every minute."""


def backfill_fields_missing(*, config: SyncObjectConfig, state: ObjectSyncState) -> list[str]:
    """Mapped fields (present in Salesforce) that records imported before they were mapped do not carry yet."""
    if state.imported_at is None or state.fields_complete is None:
        return []
    mapped = SyncFieldMapping.objects.filter(
        workspace_id=config.workspace_id, sobject=config.sobject, status=SyncStatus.ACTIVE
    ).values_list("field_name", flat=True)
    return sorted(set(mapped) - set(state.fields_complete))


def _fields_complete_tidy(*, config: SyncObjectConfig, state: ObjectSyncState) -> None:
    """Start tracking (null: the current mappings are taken as complete, as on installs from before backfills), and
    forget fields no longer mapped, so mapping one again later backfills its values afresh."""
    if state.imported_at is None:
        return
    mapped = set(
        SyncFieldMapping.objects.filter(workspace_id=config.workspace_id, sobject=config.sobject).values_list(
            "field_name", flat=True
        )
    )
    tidy = sorted(mapped if state.fields_complete is None else set(state.fields_complete) & mapped)
    if tidy != state.fields_complete:
        state.fields_complete = tidy
        ObjectSyncState.objects.filter(pk=state.pk).update(fields_complete=tidy)


def backfill_start_due(*, workspace, connection: Connection, now: dt.datetime | None = None) -> SyncRun | None:
    """Start one backfill run for every imported object with mapped fields its records lack. None when nothing is
    due or a backfill is already active (it picks up new fields at its next start)."""
    now = now or timezone.now()
    if SyncRun.objects.filter(workspace=workspace, kind=RunKind.BACKFILL, status__in=ACTIVE_RUN_STATUSES).exists():
        return None
    due: list[tuple[str, list[str]]] = []
    for config in sync_objects_ensure(workspace=workspace):
        if not config.enabled:
            continue
        state = ObjectSyncState.objects.get(object_config=config)
        _fields_complete_tidy(config=config, state=state)
        missing = backfill_fields_missing(config=config, state=state)
        recently_failed = SyncRunStep.objects.filter(
            run__workspace=workspace,
            run__kind=RunKind.BACKFILL,
            sobject=config.sobject,
            status=StepStatus.FAILED,
            finished_at__gte=now - RETRY_AFTER,
        ).exists()
        if missing and not recently_failed:
            due.append((config.sobject, missing))
    if not due:
        return None
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(workspace=workspace, connection=connection, kind=RunKind.BACKFILL)
            SyncRunStep.objects.bulk_create(
                SyncRunStep(run=run, sobject=sobject, position=i, fields=fields)
                for i, (sobject, fields) in enumerate(due)
            )
    except IntegrityError:
        return None
    _enqueue(run)
    logger.info(
        "sync.backfill_started",
        extra={"run_id": run.pk, "workspace_id": workspace.pk, "objects": [sobject for sobject, _f in due]},
    )
    return run


def backfill_run_execute(ctx: RunContext) -> None:
    for step in ctx.run.steps.exclude(status=StepStatus.DONE).order_by("position"):
        calls_before = ctx.calls_total()
        try:
            backfill_step_execute(ctx, step)
        except FailWithReason as exc:
            step.status, step.error_code, step.error_message = StepStatus.FAILED, exc.code, exc.message
            step.finished_at = timezone.now()
            step.save(update_fields=["status", "error_code", "error_message", "finished_at"])
        finally:
            step.api_calls += ctx.calls_total() - calls_before
            SyncRunStep.objects.filter(pk=step.pk).update(api_calls=step.api_calls)


def backfill_step_execute(ctx: RunContext, step: SyncRunStep) -> None:
    run = ctx.run
    config = SyncObjectConfig.objects.get(workspace=run.workspace, sobject=step.sobject)
    state = ObjectSyncState.objects.get(object_config=config)
    resolved = object_resolve(config=config, state=state, connection=run.connection, client=ctx.client)
    # A field deleted or hidden since the run started is paused by object_resolve; the rest are filled in.
    fields = [name for name in step.fields if name in resolved.field_types]
    imported_since = state.imported_at - ctx.overlap if state.imported_at else None
    if step.status == StepStatus.PENDING:
        step.status = StepStatus.RUNNING
        step.save(update_fields=["status"])
    if fields and step.records_expected is None:
        ctx.budget.check()
        step.records_expected = ctx.client.query(resolved.query.backfill_count(imported_since=imported_since))[
            "totalSize"
        ]
        step.save(update_fields=["records_expected"])
        total = run.steps.aggregate(total=Sum("records_expected"))["total"]
        SyncRun.objects.filter(pk=run.pk).update(records_expected=total)
    while fields:
        after = (step.after_modstamp, step.after_id) if step.after_modstamp else None
        soql = resolved.query.backfill_page(fields, imported_since=imported_since, after=after, limit=PAGE_SIZE)
        ctx.budget.check()
        records = ctx.client.query(soql).get("records", [])
        if records:
            _commit(ctx, step, fields, resolved.field_types, records)
        if len(records) < PAGE_SIZE:
            break
    with transaction.atomic():
        state.refresh_from_db()
        complete = sorted(set(state.fields_complete or []) | set(fields))
        ObjectSyncState.objects.filter(pk=state.pk).update(fields_complete=complete)
        step.status, step.finished_at = StepStatus.DONE, timezone.now()
        step.save(update_fields=["status", "finished_at"])
    logger.info(
        "sync.backfill_step_done",
        extra={"run_id": run.pk, "sobject": step.sobject, "fields": fields, "records": step.records_done},
    )


def _commit(ctx: RunContext, step: SyncRunStep, fields: list[str], field_types: dict, records: list[dict]) -> None:
    rows = [(r["Id"], sf_datetime(r["SystemModstamp"]), json_values(r, field_types, fields)) for r in records]
    with transaction.atomic():
        records_fields_merge(workspace_id=ctx.run.workspace_id, sobject=step.sobject, fields=fields, rows=rows)
        last_id, last_modstamp, _values = rows[-1]  # ORDER BY SystemModstamp, Id
        step.after_modstamp, step.after_id = last_modstamp, last_id
        step.records_done += len(rows)
        step.save(update_fields=["after_modstamp", "after_id", "records_done"])
        ctx.progress_save(records=len(rows))
    ctx.cancel_check()
