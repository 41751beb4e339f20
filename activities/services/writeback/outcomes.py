"""Settling a job from what Salesforce answered: written, retry later, wait, or failed with a reason."""

from __future__ import annotations

import logging
from datetime import timedelta

from activities import conf
from activities.models import AttemptOutcome, JobStatus, WritebackJob
from activities.services import ledger
from activities.services.writeback.context import BatchContext
from activities.services.writeback.explain import explain
from activities.services.writeback.steps import DEPENDENCY_FAILED, ItemResult
from integrations.errors import ApiLimitReached, FailWithReason, IntegrationError, ReconnectRequired, RetryLater
from integrations.providers.salesforce.errors import TRANSIENT_CODES
from mappings.payloads import FieldNote

logger = logging.getLogger(__name__)

RECORD_TRANSIENT_CODES = TRANSIENT_CODES | {"PROCESSING_HALTED"}
RECONNECT_WAIT = timedelta(days=7)
"""Reconnect waits are ended by the drain as soon as the connection works again; this is only a backstop."""


def settle_error(ctx: BatchContext | None, job: WritebackJob, exc: IntegrationError, *, call=None, started=None,
                 sobject: str = "", section: str = "", notes: str = "", skipped: list[dict] | None = None,
                 ) -> None:  # fmt: skip
    """A whole call failed (or could not be made) for this job. `notes` and `skipped` say what its record left out."""
    if job.pk in (ctx.settled if ctx else ()):
        return
    started = started or (ctx.started if ctx else None)
    excerpt = call.excerpt if call else ""
    if isinstance(exc, ReconnectRequired):
        outcome = AttemptOutcome.RECONNECT
        ledger.job_wait(job, status=JobStatus.WAITING_RECONNECT, code=exc.code or "RECONNECT_REQUIRED",
                        message=exc.message, delay=RECONNECT_WAIT)  # fmt: skip
    elif isinstance(exc, ApiLimitReached):
        outcome = AttemptOutcome.BUDGET
        ledger.job_wait(job, status=JobStatus.WAITING_BUDGET, code=exc.code or "API_LIMIT", message=exc.message,
                        delay=timedelta(seconds=max(exc.retry_after or 0, conf.get("BUDGET_WAIT_S"))))  # fmt: skip
    elif isinstance(exc, RetryLater):
        outcome = ledger.job_retry(job, code=exc.code, message=exc.message, retry_after=exc.retry_after)
    else:
        outcome = AttemptOutcome.FAILED
        message, fix_url = exc.message, ""
        if isinstance(exc, FailWithReason) and sobject:
            message, fix_url = explain(workspace=job.workspace, code=exc.code, message=exc.message, fields=exc.fields,
                                       sobject=sobject, section=section, user=job.user, arg=_arg(job))  # fmt: skip
        ledger.job_fail(job, code=exc.code or "FAILED", message=message, fix_url=fix_url)
    _record(ctx, job, outcome, call, started, exc.code, _join(exc.message, notes), excerpt, skipped)


REVIEW_WAIT = timedelta(days=365)
"""Review holds end when an admin chooses the record (review.match_choose wakes the jobs); only a backstop."""
REVIEW_MESSAGE = ("Several Salesforce records could be this prospect and none is certain: choose one on the "
                  "Activity page. Its writes wait until then.")  # fmt: skip


def settle_held(ctx: BatchContext | None, job: WritebackJob) -> None:
    """The prospect is held for review: the job waits, without spending an attempt, until an admin chooses."""
    if job.pk in (ctx.settled if ctx else ()):
        return
    ledger.job_wait(job, status=JobStatus.WAITING_REVIEW, code="MATCH_REVIEW", message=REVIEW_MESSAGE,
                    delay=REVIEW_WAIT)  # fmt: skip
    _record(ctx, job, AttemptOutcome.REVIEW, None, ctx.started if ctx else None, "MATCH_REVIEW", REVIEW_MESSAGE, "")


def settle(ctx: BatchContext, job: WritebackJob, result: ItemResult, *, sobject: str, section: str,
           on_success=None) -> None:  # fmt: skip
    if job.pk in ctx.settled:
        return
    notes = " ".join(result.warnings)  # what the payload left out or cut: the history must show it
    skipped = skipped_fields(result.warnings, sobject=sobject)  # the same, for the settings pages to count
    if result.ok:
        if on_success:
            on_success()
        ledger.job_succeed(job, remote_id=result.id, message=notes)
        _record(ctx, job, AttemptOutcome.SUCCEEDED, result.call, ctx.started, "", notes, result.excerpt, skipped)
        return
    if result.error is not None:
        settle_error(ctx, job, result.error, call=result.call, sobject=sobject, section=section, notes=notes,
                     skipped=skipped)  # fmt: skip
        return
    if result.deferred:
        ledger.job_defer(job, message=f"Waiting: {result.message}" if result.message else "")
        ctx.settled.add(job.pk)
        return
    if result.code in RECORD_TRANSIENT_CODES:
        outcome = ledger.job_retry(job, code=result.code, message=result.message)
        _record(ctx, job, outcome, result.call, ctx.started, result.code, _join(result.message, notes),
                result.excerpt, skipped)  # fmt: skip
        return
    if result.code == DEPENDENCY_FAILED:
        message, fix_url = f"The prospect could not be written to Salesforce: {result.message}", ""
    else:
        message, fix_url = explain(workspace=job.workspace, code=result.code, message=result.message,
                                   fields=result.fields, sobject=sobject, section=section, user=job.user,
                                   arg=_arg(job))  # fmt: skip
    ledger.job_fail(job, code=result.code, message=message, fix_url=fix_url)
    _record(ctx, job, AttemptOutcome.FAILED, result.call, ctx.started, result.code, _join(result.message, notes),
            result.excerpt, skipped)  # fmt: skip


def settle_done(ctx: BatchContext, job: WritebackJob, *, remote_id: str = "", message: str = "",
                status: str = JobStatus.SUCCEEDED, skipped: list[dict] | None = None) -> None:  # fmt: skip
    """Nothing (more) to write: already done, or nothing mapped (`skipped`: the mapped fields left out)."""
    if job.pk in ctx.settled:
        return
    ledger.job_succeed(job, remote_id=remote_id, status=status, message=message)
    outcome = AttemptOutcome.SUCCEEDED if status == JobStatus.SUCCEEDED else AttemptOutcome.SKIPPED
    _record(ctx, job, outcome, None, ctx.started, "", message, "", skipped)


def skipped_fields(notes: list[str], *, sobject: str) -> list[dict]:
    """The structured form of a record's field notes (`WritebackAttempt.skipped_fields`); `sobject` is the
    record's, for notes that do not name another object (a new Contact's Account)."""
    return [
        {"sobject": note.sobject or sobject, "field": note.field, "reason": note.reason, "detail": note.detail}
        for note in notes
        if isinstance(note, FieldNote)
    ]


def _record(ctx, job, outcome, call, started, code, message, excerpt, skipped=None) -> None:
    if ctx is not None:
        ctx.settled.add(job.pk)
    ledger.attempt_record(job=job, outcome=outcome, call=call, started=started, code=code or "",
                          message=message or "", excerpt=excerpt or "", skipped_fields=skipped)  # fmt: skip
    logger.info("writeback.%s", outcome, extra={"job_id": job.pk, "action": job.action, "code": code})


def _join(message: str, notes: str) -> str:
    return f"{message} {notes}".strip()


def _arg(job: WritebackJob) -> str:
    return job.activity.kind if job.activity_id and job.activity else ""
