"""Full sync (initial import, staff full sync, targeted resync): Bulk API 2.0 query jobs streamed into the database,
or REST keyset paging for small objects.

Memory stays flat: the next CSV page downloads (on a thread, see bulk_pages.py) while this one is parsed and written
in batches of BATCH_SIZE rows. Each batch and
its checkpoint (job id, locator of the page, rows of the page committed; or the last (SystemModstamp, Id) for REST)
commit in one transaction, so a run stopped anywhere resumes without gaps or duplicates. At the end, local rows of
the object the import did not see are marked deleted (purged or out of scope in Salesforce).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Sum
from django.utils import timezone

from integrations.errors import FailWithReason, RetryLater
from integrations.providers.salesforce.errors import SessionExpired
from mappings.models import SyncFieldMapping
from sync.budget import ApiBudget
from sync.indexes import filter_indexes_ensure
from sync.models import ObjectSyncState, SyncedRecord, SyncObjectConfig, SyncRun, SyncRunStep
from sync.records import RecordBuilder, params_upsert, records_upsert
from sync.schema import ResolvedObject, lookback_since_for, object_resolve
from sync.services.bulk_pages import LOCATOR_DONE, PageBatch, PagePrefetcher, page_batches
from sync.services.runs import RunContext
from sync.types import StepMode, StepStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = getattr(settings, "SYNC_BATCH_SIZE", 10000)
"""Rows per transaction (one bulk upsert + its checkpoint)."""
BULK_PAGE_SIZE = getattr(settings, "SYNC_BULK_PAGE_SIZE", 50000)
"""maxRecords per Bulk result page: one API call each."""
REST_PAGE_SIZE = 2000
REST_MAX_RECORDS = getattr(settings, "SYNC_REST_MAX_RECORDS", 2000)
"""Objects with at most this many records in scope are read with REST queries instead of a Bulk job."""
BULK_UNSUPPORTED = frozenset({"TaskStatus", "TaskPriority", "CaseStatus", "RecentlyViewed", "OpenActivity"})


def full_run_execute(ctx: RunContext) -> None:
    steps = list(ctx.run.steps.exclude(status=StepStatus.DONE).order_by("position"))
    steps_count(ctx, steps)
    for step in steps:
        calls_before = ctx.calls_total()
        try:
            full_step_execute(ctx, step)
        except (FailWithReason, _StepFailed) as exc:
            code = getattr(exc, "code", "") or "FAILED"
            _step_fail(step, code, getattr(exc, "message", str(exc)))
        finally:
            SyncRunStep.objects.filter(pk=step.pk).update(api_calls=F("api_calls") + ctx.calls_total() - calls_before)


def steps_count(ctx: RunContext, steps: list[SyncRunStep]) -> None:
    """Count every object's records before reading the first one, so the run's total is known from the start:
    otherwise the total grows object by object and the bar shows 100% after the first object while others wait.
    An object that cannot be counted now is left uncounted; its step fails with the reason when it runs."""
    run = ctx.run
    for step in steps:
        if step.records_expected is not None:
            continue
        calls_before = ctx.calls_total()
        config = SyncObjectConfig.objects.get(workspace=run.workspace, sobject=step.sobject)
        state, _ = ObjectSyncState.objects.get_or_create(object_config=config)
        try:
            resolved = object_resolve(config=config, state=state, connection=run.connection, client=ctx.client)
            ctx.budget.check()
            step.records_expected = ctx.client.query(resolved.query.count(), include_deleted=True)["totalSize"]
        except FailWithReason:
            continue
        finally:
            step.api_calls += ctx.calls_total() - calls_before
        step.save(update_fields=["records_expected", "api_calls"])
        _run_expected_refresh(run)
        ctx.heartbeat()


class _StepFailed(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def _step_fail(step: SyncRunStep, code: str, message: str) -> None:
    step.status, step.error_code, step.error_message = StepStatus.FAILED, code, message
    step.finished_at = timezone.now()
    step.save(update_fields=["status", "error_code", "error_message", "finished_at"])
    ObjectSyncState.objects.filter(
        object_config__workspace_id=step.run.workspace_id, object_config__sobject=step.sobject
    ).update(last_error_code=code, last_error_message=message, last_error_at=timezone.now())


def full_step_execute(ctx: RunContext, step: SyncRunStep) -> None:
    run = ctx.run
    config = SyncObjectConfig.objects.get(workspace=run.workspace, sobject=step.sobject)
    state, _ = ObjectSyncState.objects.get_or_create(object_config=config)
    if step.status == StepStatus.PENDING:
        since = lookback_since_for(config, state)
        if since is not None and state.lookback_since is None:
            state.lookback_since = since
            state.save(update_fields=["lookback_since"])
        step.status = StepStatus.RUNNING
        step.save(update_fields=["status"])
    resolved = object_resolve(config=config, state=state, connection=run.connection, client=ctx.client)
    if not step.mode:
        expected = step.records_expected
        if expected is None:
            ctx.budget.check()
            expected = ctx.client.query(resolved.query.count(), include_deleted=True)["totalSize"]
        mode = StepMode.REST if expected <= REST_MAX_RECORDS or step.sobject in BULK_UNSUPPORTED else StepMode.BULK
        step.mode, step.records_expected, step.snapshot_at = mode, expected, timezone.now()
        step.save(update_fields=["mode", "records_expected", "snapshot_at"])
        _run_expected_refresh(run)
    if step.mode == StepMode.BULK:
        _bulk_read(ctx, step, resolved, run.pk)
    else:
        builder = RecordBuilder(
            workspace_id=run.workspace_id, sobject=step.sobject, field_types=resolved.field_types, run_id=run.pk
        )
        _rest_read(ctx, step, resolved, builder)
    _step_complete(ctx, step, state, fields=mapped_fields(resolved, config))


def _run_expected_refresh(run: SyncRun) -> None:
    total = run.steps.aggregate(total=Sum("records_expected"))["total"]
    SyncRun.objects.filter(pk=run.pk).update(records_expected=total)


def _commit(ctx: RunContext, step: SyncRunStep, batch: PageBatch, *, rest: bool = False) -> None:
    """One transaction: the rows, then the checkpoint that says they are in (and the run's progress)."""
    with transaction.atomic():
        (records_upsert if rest else params_upsert)(batch.params, with_seen_run=True)
        for name, value in batch.checkpoint.items():
            setattr(step, name, value)
        newest = batch.newest
        newer = newest is not None and (step.after_modstamp is None or newest > step.after_modstamp)
        if newer and step.mode == StepMode.BULK:
            step.after_modstamp = newest
        step.records_done += len(batch.params)
        step.deletes += batch.deletes
        step.save(
            update_fields=[
                "locator",
                "page_offset",
                "after_modstamp",
                "after_id",
                "records_done",
                "deletes",
                "bulk_job_id",
            ]
        )
        ctx.progress_save(records=len(batch.params), deletes=batch.deletes)
    ctx.cancel_check()


def _bulk_read(ctx: RunContext, step: SyncRunStep, resolved: ResolvedObject, run_id: int) -> None:
    if step.locator == LOCATOR_DONE:
        return None
    if not step.bulk_job_id:
        ctx.budget.check()
        job = ctx.client.bulk_query_create(resolved.query.full(), include_deleted=True)
        step.bulk_job_id = job["id"]
        step.save(update_fields=["bulk_job_id"])
    _bulk_wait(ctx, step)
    db = connections[router.db_for_write(SyncedRecord)]
    adapter_kwargs = {"field_types": resolved.field_types, "workspace_id": ctx.run.workspace_id,
                      "sobject": step.sobject, "run_id": run_id, "vendor": db.vendor}  # fmt: skip
    refreshed = False
    while step.locator != LOCATOR_DONE:
        client = ctx.detached_client()
        budget = ApiBudget(client, percent=ctx.budget.percent)
        prefetcher = PagePrefetcher(
            client=client, budget=budget, job_id=step.bulk_job_id, locator=step.locator, page_size=BULK_PAGE_SIZE
        )
        try:
            with prefetcher:
                for page in prefetcher:
                    for batch in page_batches(
                        page, skip=step.page_offset, batch_size=BATCH_SIZE, adapter_kwargs=adapter_kwargs
                    ):
                        _commit(ctx, step, batch)
                    refreshed = False
        except SessionExpired:
            if refreshed:
                raise RetryLater("Salesforce refused a freshly refreshed session.", code="INVALID_SESSION_ID") from None
            ctx.client.bulk_query_status(step.bulk_job_id)  # the caller's client refreshes the token; read on
            refreshed = True
        except FailWithReason as exc:
            if exc.status != 404:
                raise
            # The job expired (Salesforce keeps results about a week): start over; upserts are idempotent.
            step.bulk_job_id, step.locator, step.page_offset = "", "", 0
            step.save(update_fields=["bulk_job_id", "locator", "page_offset"])
            return _bulk_read(ctx, step, resolved, run_id)
        finally:
            ctx.usage_save()
    return None


def _bulk_wait(ctx: RunContext, step: SyncRunStep) -> None:
    delay = 0.1
    while True:
        ctx.budget.check()
        status = ctx.client.bulk_query_status(step.bulk_job_id)
        state = status.get("state")
        if state == "JobComplete":
            processed = status.get("numberRecordsProcessed")
            if processed is not None and processed != step.records_expected:
                SyncRunStep.objects.filter(pk=step.pk).update(records_expected=processed)
                step.records_expected = processed
                _run_expected_refresh(ctx.run)
            return
        if state in ("Failed", "Aborted"):
            raise _StepFailed(status.get("errorMessage") or f"Bulk query job {state.lower()}.", code="BULK_JOB_FAILED")
        ctx.heartbeat()
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)  # a finished job is noticed within a second, at ~1 status call per second


def _rest_read(ctx: RunContext, step: SyncRunStep, resolved: ResolvedObject, builder: RecordBuilder) -> None:
    while True:
        ctx.budget.check()
        soql = resolved.query.full_rest_page(step.after_modstamp, step.after_id, REST_PAGE_SIZE)
        records = ctx.client.query(soql, include_deleted=True).get("records", [])
        if not records:
            return
        rows = [builder.from_json(r) for r in records]
        last = rows[-1]  # ORDER BY SystemModstamp, Id
        checkpoint = {"after_modstamp": last.system_modstamp, "after_id": last.sf_id}
        batch = PageBatch(rows, checkpoint, deletes=sum(r.is_deleted for r in rows))
        _commit(ctx, step, batch, rest=True)
        if len(records) < REST_PAGE_SIZE:
            return


def mapped_fields(resolved: ResolvedObject, config: SyncObjectConfig) -> list[str]:
    """The data sync mappings' fields this query read: after a full import every local record carries them."""
    names = SyncFieldMapping.objects.filter(workspace_id=config.workspace_id, sobject=config.sobject)
    return sorted(set(names.values_list("field_name", flat=True)) & set(resolved.field_types))


def _step_complete(ctx: RunContext, step: SyncRunStep, state: ObjectSyncState, *, fields: list[str]) -> None:
    """Sweep what the import did not see, and hand the object to incremental runs from the import's newest change."""
    run = ctx.run
    now = timezone.now()
    with transaction.atomic():
        stale = SyncedRecord.objects.filter(workspace_id=run.workspace_id, sobject=step.sobject, is_deleted=False)
        stale = stale.exclude(seen_run=run.pk)
        if step.after_modstamp is not None:
            # Rows changed after the newest one the import saw belong to incremental runs, not to this sweep.
            stale = stale.filter(system_modstamp__lte=step.after_modstamp)
        swept = stale.update(is_deleted=True, synced_at=now)
        step.status, step.finished_at, step.deletes = StepStatus.DONE, now, step.deletes + swept
        step.save(update_fields=["status", "finished_at", "deletes"])
        # From the import's newest change on, incremental runs take over; rows an incremental run wrote meanwhile
        # and the import overwrote with older values are re-read by the next window.
        checkpoint = step.after_modstamp or state.checkpoint_modstamp
        ObjectSyncState.objects.filter(pk=state.pk).update(
            checkpoint_modstamp=checkpoint,
            imported_at=step.after_modstamp or now,
            covered_until=step.snapshot_at or now,
            last_success_at=now,
            last_run_at=now,
            last_run_records=step.records_done,
            last_run_deletes=step.deletes,
            fields_complete=fields,
            last_error_code="",
            last_error_message="",
        )
    filter_indexes_ensure(workspace_id=run.workspace_id, sobject=step.sobject)  # PostgreSQL only
    logger.info(
        "sync.full_step_done",
        extra={"run_id": run.pk, "sobject": step.sobject, "records": step.records_done, "swept": swept},
    )
