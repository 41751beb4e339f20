"""Starting, claiming, executing, pausing, cancelling and finishing sync runs.

A run is claimed with one conditional UPDATE, so two workers never execute it at once; a worker that dies leaves a
RUNNING row whose heartbeat goes stale, and the scheduler hands it to another worker, which resumes from the step
checkpoints (committed with the data they describe).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.tasks import async_task

from integrations.errors import ApiLimitReached, IntegrationError, ReconnectRequired, RetryLater
from integrations.models import Connection
from integrations.providers.salesforce.client import SalesforceClient
from sync.budget import ApiBudget, budget_percent_for
from sync.models import ObjectSyncState, SyncObjectConfig, SyncRun, SyncRunStep, SyncSettings
from sync.types import DEFAULT_OBJECTS, RunKind, RunStatus, StepStatus

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(seconds=getattr(settings, "SYNC_STALE_AFTER_SECONDS", 300))
"""A RUNNING run whose heartbeat is older than this is presumed dead and handed to another worker."""


class RunCancelled(Exception):
    """Someone asked the run to stop; raised between batches, after the last commit."""


class RunContext:
    """What a running run carries around: its row, the client, the budget guard."""

    def __init__(self, run: SyncRun, client: SalesforceClient):
        self.run = run
        self.client = client
        self.budget = ApiBudget(client, percent=budget_percent_for(run.workspace))
        self.sync_settings = sync_settings_get(workspace=run.workspace)
        self._clients = [client]
        self._calls_flushed = 0
        self._usage_saved_at = None

    @property
    def overlap(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.sync_settings.overlap_minutes)

    def detached_client(self) -> SalesforceClient:
        """A client for a reader thread (no database writes), counted in this run's API calls."""
        from sync.services.bulk_pages import DetachedClient

        client = DetachedClient(self.client.connection)
        self._clients.append(client)
        return client

    def usage_save(self) -> None:
        """Persist the API usage a reader thread's client saw (it keeps it on the shared Connection object)."""
        connection = self.client.connection
        if len(self._clients) > 1 and connection.pk and connection.api_usage_at != self._usage_saved_at:
            self._usage_saved_at = connection.api_usage_at
            Connection.objects.filter(pk=connection.pk).update(
                api_usage_used=connection.api_usage_used,
                api_usage_max=connection.api_usage_max,
                api_usage_at=connection.api_usage_at,
            )

    def calls_total(self) -> int:
        """API calls this run's clients made in this process (a step's share is the difference across it)."""
        return sum(c.api_calls for c in self._clients)

    def calls_unflushed(self) -> int:
        total = sum(c.api_calls for c in self._clients)
        calls = total - self._calls_flushed
        self._calls_flushed = total
        return calls

    def heartbeat(self, *, records: int = 0, deletes: int = 0) -> None:
        """Record progress and API calls, then stop here if cancellation was asked for."""
        self.progress_save(records=records, deletes=deletes)
        self.cancel_check()

    def progress_save(self, *, records: int = 0, deletes: int = 0) -> None:
        """Heartbeat, counters, API calls and usage. Called inside a batch's transaction, it costs no commit of its
        own (on SQLite each commit is a disk sync)."""
        SyncRun.objects.filter(pk=self.run.pk).update(
            heartbeat_at=timezone.now(),
            records_done=F("records_done") + records,
            deletes=F("deletes") + deletes,
            api_calls=F("api_calls") + self.calls_unflushed(),
        )
        self.usage_save()

    def cancel_check(self) -> None:
        if SyncRun.objects.filter(pk=self.run.pk, cancel_requested=True).exists():
            raise RunCancelled


def sync_settings_get(*, workspace) -> SyncSettings:
    found = SyncSettings.objects.filter(workspace=workspace).first()
    return found or SyncSettings.objects.get_or_create(workspace=workspace)[0]


def sync_objects_ensure(*, workspace) -> list[SyncObjectConfig]:
    """The workspace's object configs, creating the default ones (and every state row) on first use."""
    if not SyncObjectConfig.objects.filter(workspace=workspace).exists():
        for position, sobject in enumerate(DEFAULT_OBJECTS):
            SyncObjectConfig.objects.get_or_create(
                workspace=workspace, sobject=sobject, defaults={"position": position}
            )
    configs = list(SyncObjectConfig.objects.filter(workspace=workspace).order_by("position", "sobject"))
    for config in configs:
        ObjectSyncState.objects.get_or_create(object_config=config)
    return configs


def _enqueue(run: SyncRun) -> None:
    run_id = run.pk
    transaction.on_commit(lambda: async_task("sync.tasks.sync_run_execute", run_id, task_name=f"sync-run-{run_id}"))


def run_start(
    *,
    workspace,
    connection: Connection,
    kind: str,
    sobjects: list[str] | None = None,
    actor=None,
) -> SyncRun | None:
    """Create a run with one step per object and enqueue it on commit. None when a full run is already active."""
    configs = [c for c in sync_objects_ensure(workspace=workspace) if c.enabled]
    if sobjects is not None:
        configs = [c for c in configs if c.sobject in sobjects]
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(workspace=workspace, connection=connection, kind=kind, requested_by=actor)
            SyncRunStep.objects.bulk_create(
                SyncRunStep(run=run, sobject=c.sobject, position=i) for i, c in enumerate(configs)
            )
    except IntegrityError:
        return None  # uniq_active_full_run: one full run at a time
    _enqueue(run)
    logger.info("sync.run_started", extra={"run_id": run.pk, "kind": kind, "workspace_id": workspace.pk})
    return run


def full_sync_start(*, workspace, actor=None, sobjects: list[str] | None = None) -> SyncRun | None:
    """Start a full sync (all enabled objects, or `sobjects`) on the workspace's admin connection."""
    from integrations.selectors import connection_get_admin

    connection = connection_get_admin(workspace=workspace)
    if connection is None or not connection.is_usable:
        from integrations.errors import NotConnected

        raise NotConnected("Connect Salesforce (admin connection) before syncing.", code="NOT_CONNECTED")
    return run_start(workspace=workspace, connection=connection, kind=RunKind.FULL, sobjects=sobjects, actor=actor)


def run_cancel(*, run: SyncRun, actor=None) -> bool:
    """Ask a run to stop. A queued or paused run stops at once; a running one at its next batch boundary."""
    now = timezone.now()
    stopped = SyncRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.PAUSED_BUDGET]).update(
        status=RunStatus.CANCELLED, cancel_requested=True, finished_at=now
    )
    if not stopped:
        stopped = SyncRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return bool(stopped)


def run_claim(*, run_id: int) -> SyncRun | None:
    now = timezone.now()
    due = Q(status=RunStatus.QUEUED, resume_after__isnull=True) | Q(
        status__in=[RunStatus.QUEUED, RunStatus.PAUSED_BUDGET], resume_after__lte=now
    )
    stale = Q(status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    claimed = (
        SyncRun.objects.filter(pk=run_id)
        .filter(due | stale)
        .update(
            status=RunStatus.RUNNING, heartbeat_at=now, started_at=Coalesce(F("started_at"), now), resume_after=None
        )
    )
    if not claimed:
        return None
    return SyncRun.objects.select_related("workspace", "connection").get(pk=run_id)


def run_execute(*, run_id: int) -> SyncRun | None:
    """Execute (or resume) a run. Safe to call twice: only one caller claims it."""
    from sync.services.backfill import backfill_run_execute
    from sync.services.full import full_run_execute
    from sync.services.incremental import incremental_run_execute
    from sync.services.reconcile import reconcile_run_execute

    run = run_claim(run_id=run_id)
    if run is None:
        return None
    ctx = None
    try:
        ctx = RunContext(run, SalesforceClient(run.connection))
        executor = {
            RunKind.FULL: full_run_execute,
            RunKind.INCREMENTAL: incremental_run_execute,
            RunKind.RECONCILE: reconcile_run_execute,
            RunKind.BACKFILL: backfill_run_execute,
        }[run.kind]
        executor(ctx)
    except RunCancelled:
        _abort_bulk_jobs(ctx, run)
        return _finish(ctx, run, RunStatus.CANCELLED)
    except ApiLimitReached as exc:
        return _pause(ctx, run, exc, status=RunStatus.PAUSED_BUDGET)
    except ReconnectRequired as exc:
        return _finish(ctx, run, RunStatus.FAILED, exc)
    except RetryLater as exc:
        return _pause(ctx, run, exc, status=RunStatus.QUEUED)
    except IntegrationError as exc:
        return _finish(ctx, run, RunStatus.FAILED, exc)
    failed = run.steps.filter(status=StepStatus.FAILED).first()
    if failed:
        return _finish(
            ctx, run, RunStatus.FAILED, code=failed.error_code, message=f"{failed.sobject}: {failed.error_message}"
        )
    return _finish(ctx, run, RunStatus.SUCCEEDED)


def _flush_calls(ctx: RunContext | None) -> int:
    return ctx.calls_unflushed() if ctx else 0


def _pause(ctx, run: SyncRun, exc: IntegrationError, *, status: str) -> SyncRun:
    retry_after = getattr(exc, "retry_after", None) or 60
    SyncRun.objects.filter(pk=run.pk).update(
        status=status,
        resume_after=timezone.now() + dt.timedelta(seconds=retry_after),
        error_code=exc.code,
        error_message=exc.message,
        api_calls=F("api_calls") + _flush_calls(ctx),
    )
    logger.info("sync.run_paused", extra={"run_id": run.pk, "code": exc.code})
    run.refresh_from_db()
    return run


def _finish(ctx, run: SyncRun, status: str, exc: IntegrationError | None = None, *, code="", message="") -> SyncRun:
    if exc is not None:
        code, message = exc.code, exc.message
    expected = run.steps.aggregate(total=Sum("records_expected"))["total"]
    SyncRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        error_code=code or "",
        error_message=message or "",
        api_calls=F("api_calls") + _flush_calls(ctx),
        records_expected=Coalesce(F("records_expected"), expected),
    )
    log = logger.warning if status == RunStatus.FAILED else logger.info
    log("sync.run_finished", extra={"run_id": run.pk, "status": status, "code": code})
    run.refresh_from_db()
    return run


def _abort_bulk_jobs(ctx: RunContext | None, run: SyncRun) -> None:
    if ctx is None:
        return
    for step in run.steps.exclude(status=StepStatus.DONE).exclude(bulk_job_id=""):
        try:
            ctx.client.bulk_query_abort(step.bulk_job_id)
        except IntegrationError:
            logger.info("sync.bulk_abort_failed", extra={"run_id": run.pk, "job": step.bulk_job_id})


def runs_due_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Paused runs whose wait is over, running runs whose worker stopped sending heartbeats, and queued runs no
    worker picked up: their task was lost with a killed cluster, and while they stay queued the tick starts nothing
    else for the workspace (the claim lets one caller through, so a task that was only slow does no harm)."""
    now = now or timezone.now()
    return list(
        SyncRun.objects.filter(
            Q(status__in=[RunStatus.QUEUED, RunStatus.PAUSED_BUDGET], resume_after__lte=now)
            | Q(status=RunStatus.QUEUED, resume_after__isnull=True, created_at__lt=now - STALE_AFTER)
            | Q(status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        ).values_list("pk", flat=True)
    )


def run_enqueue(*, run_id: int) -> None:
    async_task("sync.tasks.sync_run_execute", run_id, task_name=f"sync-run-{run_id}")
