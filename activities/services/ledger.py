"""Job state changes and attempt rows. The only module that moves a WritebackJob between statuses."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import OperationalError, connections, router, transaction
from django.db.models import F, QuerySet
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
FLUSH_TRIES = 3
"""Jobs per UPDATE when settling together (each varying value is one CASE branch, two parameters)."""


class _Buffer:
    def __init__(self):
        self.jobs: dict[int, tuple[str, dict]] = {}
        self.attempts: list[WritebackAttempt] = []
        self.statements: list = []

    def job_save(self, job: WritebackJob, fields: dict) -> None:
        token, pending = self.jobs.get(job.pk, (job._claimed_with, {}))
        self.jobs[job.pk] = (token, {**pending, **fields})  # a later change of the same job wins, as in order

    def flush(self) -> None:
        now = timezone.now()
        groups: dict[tuple, list[tuple[int, dict]]] = {}
        for pk, (token, fields) in self.jobs.items():
            groups.setdefault((token, tuple(sorted(fields))), []).append((pk, fields))
        updates = [
            _update(token, [*names, "updated_at"], [(pk, {**f, "updated_at": now}) for pk, f in rows[start:
                    start + FLUSH_CHUNK]])
            for (token, names), rows in groups.items() for start in range(0, len(rows), FLUSH_CHUNK)
        ]  # fmt: skip
        # Everything was decided before: the transaction (on SQLite, the database's one write lock) lasts only as
        # long as the statements. A transaction that could not get the lock wrote nothing: try it again, since
        # the writes it holds are what Salesforce already did.
        for attempt in range(FLUSH_TRIES):
            try:
                self._write(updates)
                return
            except OperationalError:
                if attempt == FLUSH_TRIES - 1:
                    raise
                logger.warning("writeback.settle_retry", exc_info=True)
                for row in self.attempts:
                    row.pk, row._state.adding = None, True

    def _write(self, updates: list[tuple[str, list]]) -> None:
        alias = router.db_for_write(WritebackJob)
        with transaction.atomic(using=alias):
            for statement in self.statements:
                statement()
            with connections[alias].cursor() as cursor:
                for sql, params in updates:
                    cursor.execute(sql, params)
            if self.attempts:
                WritebackAttempt.objects.bulk_create(self.attempts, batch_size=FLUSH_CHUNK)


def write_later(statement) -> None:
    """Inside `jobs_settle_together`, run `statement` (a callable writing rows the settling decided, such as a
    prospect's Salesforce id) in the same transaction as the jobs; outside it, now."""
    buffer = getattr(_settling, "buffer", None)
    if buffer is None:
        statement()
    else:
        buffer.statements.append(statement)


def _update(token: str, names: list[str], rows: list[tuple[int, dict]]) -> tuple[str, list]:
    """One UPDATE for these jobs: a column whose value differs between them is a CASE on the id. Written as SQL
    (standard, for SQLite and PostgreSQL alike) because building the same from ORM expressions costs more CPU than
    the statement, and this runs while the database's write lock is held."""
    connection = connections[router.db_for_write(WritebackJob)]
    quote = connection.ops.quote_name
    sets, params = [], []
    for name in names:
        field = WritebackJob._meta.get_field(name)
        values = [field.get_db_prep_save(fields[name], connection) for _, fields in rows]
        if all(v == values[0] for v in values):
            sets.append(f"{quote(field.column)} = %s")
            params.append(values[0])
            continue
        sets.append(f"{quote(field.column)} = CASE {quote('id')} {' '.join(['WHEN %s THEN %s'] * len(rows))} END")
        for (pk, _), value in zip(rows, values, strict=True):
            params += [pk, value]
    ids = [pk for pk, _ in rows]
    # The same claim-holder condition as one job at a time: rows another claim took are left alone. Only names from
    # the model's metadata are put in the text; every value is a parameter.
    table, where = quote(WritebackJob._meta.db_table), f"{quote('id')} IN ({', '.join(['%s'] * len(ids))})"
    sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {where} AND {quote('claim_token')} = %s"  # noqa: S608
    return sql, [*params, *ids, token]


@contextmanager
def jobs_settle_together() -> Iterator[None]:
    """Job changes, attempt rows and `write_later` statements made inside are written on the way out, in one
    transaction and a few statements (one UPDATE per kind of change, one INSERT of attempts) instead of two per
    job; nothing is written if the block raises. The block itself runs outside any transaction, so the write lock
    is not held while the batch's outcomes are worked out."""
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
