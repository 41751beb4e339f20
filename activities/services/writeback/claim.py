"""Claiming due jobs with a lease. A job is claimable when it is due (or its lease ran out: the worker died)
and no earlier unfinished job of the same prospect is left out of the claim (per-prospect event order)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from activities import conf
from activities.models import JobStatus, WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES


def _due(now: datetime) -> Q:
    return Q(status=JobStatus.PENDING, next_attempt_at__lte=now) | Q(status=JobStatus.RUNNING, lease_until__lt=now)


def groups_due(*, now: datetime | None = None) -> list[tuple[int, int | None]]:
    """(workspace id, user id) of every rep with due or stalled jobs."""
    now = now or timezone.now()
    rows = WritebackJob.objects.filter(_due(now)).values_list("workspace_id", "user_id").distinct()
    return sorted(set(rows), key=lambda r: (r[0], r[1] or 0))


def groups_waiting_on(
    *, workspace_id: int, prospect_ids: set[int], except_user_id: int | None, now: datetime | None = None
) -> list[tuple[int, int | None]]:
    """(workspace id, user id) of the other reps with due jobs on these prospects."""
    due = _due(now or timezone.now())
    rows = (
        WritebackJob.objects.filter(due, workspace_id=workspace_id, prospect_id__in=prospect_ids)
        .exclude(user_id=except_user_id)
        .values_list("workspace_id", "user_id")
        .distinct()
    )
    return sorted(set(rows), key=lambda r: (r[0], r[1] or 0))


def due_left(*, workspace_id: int, user_id: int | None, exclude_ids: list[int], now: datetime | None = None) -> bool:
    """Has this rep due jobs besides these?"""
    due = WritebackJob.objects.filter(_due(now or timezone.now()), workspace_id=workspace_id, user_id=user_id)
    return due.exclude(pk__in=exclude_ids).exists()


def jobs_claim(
    *,
    workspace_id: int,
    user_id: int | None,
    now: datetime | None = None,
    limit: int | None = None,
    ids: list[int] | None = None,
    on_full=None,
) -> list[WritebackJob]:
    """`ids`: only these jobs (a workflow action's request runs its own job, through the same claim). `on_full` is
    called once this claim has taken as many jobs as it may (more are due), before they are returned."""
    now = now or timezone.now()
    limit = limit or conf.get("BATCH_LIMIT")
    due = WritebackJob.objects.filter(_due(now), workspace_id=workspace_id, user_id=user_id)
    if ids is not None:
        due = due.filter(pk__in=ids)
    candidates = list(due.order_by("id").values_list("id", "prospect_id")[:limit])
    if not candidates:
        return []
    ids = {job_id for job_id, _ in candidates}
    prospects = {prospect_id for _, prospect_id in candidates}
    first_blocker: dict[int, int] = defaultdict(lambda: 1 << 62)
    blockers = (
        WritebackJob.objects.filter(prospect_id__in=prospects, status__in=UNFINISHED_STATUSES)
        .exclude(pk__in=ids)
        .values_list("prospect_id", "id")
    )
    for prospect_id, job_id in blockers:
        first_blocker[prospect_id] = min(first_blocker[prospect_id], job_id)
    wanted = [job_id for job_id, prospect_id in candidates if job_id < first_blocker[prospect_id]]
    if not wanted:
        return []
    token = uuid.uuid4().hex
    lease = now + timedelta(seconds=conf.get("LEASE_S"))
    # The due condition is repeated in the UPDATE: of two workers racing for a job, exactly one wins it.
    WritebackJob.objects.filter(_due(now), pk__in=wanted).update(
        status=JobStatus.RUNNING, lease_until=lease, claim_token=token, attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )  # fmt: skip
    jobs = list(
        WritebackJob.objects.filter(claim_token=token)
        .select_related("prospect", "activity__user", "enrollment", "optout", "user", "workspace")
        .order_by("id")
    )
    for job in jobs:
        job._claimed_with = token
    jobs = _drop_orphans(jobs)
    if len(candidates) >= limit and jobs and on_full is not None:
        on_full()  # more are due: the next chunk can be claimed (ours are taken) while this one is written
    return jobs


def _drop_orphans(jobs: list[WritebackJob]) -> list[WritebackJob]:
    """A job lost in the race leaves later jobs of its prospect claimed out of order: give those back."""
    from activities.services.ledger import job_defer

    claimed = {j.pk for j in jobs}
    by_prospect: dict[int, list[WritebackJob]] = defaultdict(list)
    for job in jobs:
        by_prospect[job.prospect_id].append(job)
    lost = (
        WritebackJob.objects.filter(prospect_id__in=by_prospect, status__in=UNFINISHED_STATUSES)
        .exclude(pk__in=claimed)
        .values_list("prospect_id", "id")
    )
    kept = set(claimed)
    for prospect_id, job_id in lost:
        for job in by_prospect[prospect_id]:
            if job.pk > job_id and job.pk in kept:
                kept.discard(job.pk)
                job_defer(job)
    return [j for j in jobs if j.pk in kept]
