"""Job state changes and attempt rows. The only module that moves a WritebackJob between statuses."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone

from activities import conf
from activities.models import AttemptOutcome, JobStatus, WritebackAttempt, WritebackJob
from activities.models.ledger import RETRYABLE_STATUSES, UNFINISHED_STATUSES
from activities.services.writeback.recorder import CallRecord, secrets_strip

logger = logging.getLogger(__name__)


def backoff_delay(attempts: int, *, retry_after: float | None = None) -> timedelta:
    """min(cap, base·2^(attempts-1)), scaled by a random 0.5-1.0 so retries of one batch spread out."""
    base, cap = conf.get("BACKOFF_BASE_S"), conf.get("BACKOFF_CAP_S")
    delay = min(cap, base * 2 ** max(0, attempts - 1)) * random.uniform(0.5, 1.0)
    return timedelta(seconds=max(delay, retry_after or 0))


def attempt_record(
    *,
    job: WritebackJob,
    outcome: str,
    call: CallRecord | None,
    started: datetime | None,
    code: str = "",
    message: str = "",
    excerpt: str = "",
    skipped_fields: list[dict] | None = None,
) -> WritebackAttempt:
    attempt = WritebackAttempt(
        job=job,
        number=job.attempts,
        started_at=started or timezone.now(),
        duration_ms=call.duration_ms if call else 0,
        request=call.summary if call else "",
        status_code=call.status_code if call else None,
        outcome=outcome,
        error_code=code[:64],
        message=message,
        response_excerpt=secrets_strip(excerpt or (call.excerpt if call else "")),
        skipped_fields=skipped_fields or [],
    )
    buffer = getattr(_settling, "buffer", None)
    if buffer is not None:
        buffer.attempts.append(attempt)
    else:
        attempt.save()
    return attempt


def _save(job: WritebackJob, **fields) -> None:
    fields.setdefault("lease_until", None)
    fields.setdefault("claim_token", "")
    for name, value in fields.items():
        setattr(job, name, value)
    buffer = getattr(_settling, "buffer", None)
    if buffer is not None:
        buffer.job_save(job, fields)
        return
    # Only the claim holder may settle the job: a stalled run that wakes up late must not overwrite a newer one.
    WritebackJob.objects.filter(pk=job.pk, claim_token=job._claimed_with).update(updated_at=timezone.now(), **fields)


_settling = threading.local()
FLUSH_CHUNK = 200
"""Jobs per UPDATE when settling together (each varying value is one CASE branch, two parameters)."""


class _Buffer:
    def __init__(self):
        self.jobs: dict[int, tuple[str, dict]] = {}
        self.attempts: list[WritebackAttempt] = []

    def job_save(self, job: WritebackJob, fields: dict) -> None:
        token, pending = self.jobs.get(job.pk, (job._claimed_with, {}))
        self.jobs[job.pk] = (token, {**pending, **fields})  # a later change of the same job wins, as in order

    def flush(self) -> None:
        now = timezone.now()
        groups: dict[tuple, list[tuple[int, dict]]] = {}
        for pk, (token, fields) in self.jobs.items():
            groups.setdefault((token, tuple(sorted(fields))), []).append((pk, fields))
        for (token, names), rows in groups.items():
            for start in range(0, len(rows), FLUSH_CHUNK):
                chunk = rows[start : start + FLUSH_CHUNK]
                values = {name: _column(name, chunk) for name in names}
                # The same claim-holder condition as one job at a time: rows another claim took are left alone.
                WritebackJob.objects.filter(pk__in=[pk for pk, _ in chunk], claim_token=token).update(
                    updated_at=now, **values
                )
        if self.attempts:
            WritebackAttempt.objects.bulk_create(self.attempts, batch_size=FLUSH_CHUNK)


def _column(name: str, rows: list[tuple[int, dict]]):
    first = rows[0][1][name]
    if all(fields[name] == first for _, fields in rows):
        return first
    field = WritebackJob._meta.get_field(name)
    return Case(*[When(pk=pk, then=Value(fields[name], output_field=field)) for pk, fields in rows],
                output_field=field)  # fmt: skip


@contextmanager
def jobs_settle_together() -> Iterator[None]:
    """Job changes and attempt rows made inside are written on the way out in a few statements (one UPDATE per
    kind of change, one INSERT of attempts) instead of two per job; nothing is written if the block raises.
    Use it inside the transaction that settles a batch, so what the jobs say and their attempts commit together."""
    if getattr(_settling, "buffer", None) is not None:  # nested: the outer block writes everything
        yield
        return
    _settling.buffer = buffer = _Buffer()
    try:
        yield
    finally:
        _settling.buffer = None
    buffer.flush()


def job_succeed(
    job: WritebackJob, *, remote_id: str = "", status: str = JobStatus.SUCCEEDED, message: str = ""
) -> None:
    now = timezone.now()
    _save(job, status=status, remote_id=remote_id or job.remote_id, finished_at=now,
          last_error_code="", last_error_message=message, fix_url="")  # fmt: skip


def job_retry(job: WritebackJob, *, code: str, message: str, retry_after: float | None = None) -> str:
    """Back off, or fail for good after MAX_ATTEMPTS. Returns the outcome recorded."""
    if job.attempts >= conf.get("MAX_ATTEMPTS"):
        job_fail(job, code=code, message=f"Gave up after {job.attempts} attempts. Last error: {message}")
        return AttemptOutcome.FAILED
    _save(job, status=JobStatus.PENDING, next_attempt_at=timezone.now() + backoff_delay(job.attempts,
          retry_after=retry_after), last_error_code=code, last_error_message=message)  # fmt: skip
    return AttemptOutcome.RETRY


def job_fail(job: WritebackJob, *, code: str, message: str, fix_url: str = "") -> None:
    _save(job, status=JobStatus.FAILED, finished_at=timezone.now(), last_error_code=code,
          last_error_message=message, fix_url=fix_url)  # fmt: skip
    logger.info("writeback.failed", extra={"job_id": job.pk, "code": code})


def job_skip(job: WritebackJob, *, code: str, message: str) -> None:
    _save(job, status=JobStatus.SKIPPED, finished_at=timezone.now(), last_error_code=code, last_error_message=message)


def job_wait(job: WritebackJob, *, status: str, code: str, message: str, delay: timedelta) -> None:
    """Pause without spending an attempt (reconnect, API budget)."""
    _save(job, status=status, attempts=max(0, job.attempts - 1), next_attempt_at=timezone.now() + delay,
          last_error_code=code, last_error_message=message)  # fmt: skip


def job_defer(job: WritebackJob, *, delay: float | None = None, message: str = "") -> None:
    """Give the job back untried (it waits on another write); the attempt is not counted."""
    delay = conf.get("DEFER_S") if delay is None else delay
    _save(job, status=JobStatus.PENDING, attempts=max(0, job.attempts - 1),
          next_attempt_at=timezone.now() + timedelta(seconds=delay),
          last_error_message=message or job.last_error_message)  # fmt: skip


# -- people-facing actions (pages and admin) ---------------------------------------------------------------------
def jobs_retry(*, jobs: QuerySet[WritebackJob] | Iterable[WritebackJob]) -> int:
    """Put failed, cancelled or skipped jobs back in the queue with a fresh set of attempts."""
    from activities.services.writeback.enqueue import writeback_enqueue_on_commit

    ids = [j.pk for j in jobs if j.status in RETRYABLE_STATUSES]
    with transaction.atomic():
        count = WritebackJob.objects.filter(pk__in=ids, status__in=RETRYABLE_STATUSES).update(
            status=JobStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), finished_at=None,
            lease_until=None, claim_token="", updated_at=timezone.now(),
        )  # fmt: skip
        if count:
            writeback_enqueue_on_commit(job_ids=ids)
    return count


def jobs_cancel(*, jobs: QuerySet[WritebackJob] | Iterable[WritebackJob]) -> int:
    """Stop jobs that have not been written. A running job is left alone: its write may be in flight."""
    cancellable = [s for s in UNFINISHED_STATUSES if s != JobStatus.RUNNING] + [JobStatus.FAILED]
    ids = [j.pk for j in jobs]
    return WritebackJob.objects.filter(pk__in=ids, status__in=cancellable).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
    )


def jobs_resume_waiting(*, queryset: QuerySet[WritebackJob]) -> int:
    return queryset.update(status=JobStatus.PENDING, next_attempt_at=timezone.now(), attempts=F("attempts"))
