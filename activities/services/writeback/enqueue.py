"""Waking workers: one django-q2 task per rep with new jobs, sent only once the jobs are committed."""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from activities.models import WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES
from activities.services.writeback.claim import due_left, groups_waiting_on


def writeback_enqueue_on_commit(*, job_ids: list[int], groups: set[tuple[int, int | None]] | None = None) -> None:
    """`groups`, the (workspace id, user id) of those jobs, when the caller knows them (saves a query)."""
    if groups is None:
        groups = set(WritebackJob.objects.filter(pk__in=job_ids).values_list("workspace_id", "user_id"))

    def enqueue() -> None:
        # One transaction for all the wake-ups: outside one, django-q2's ORM broker closes and reopens the database
        # connection before each task it queues (close_old_connections), which cost a 1,000-event batch for ten reps
        # more than storing it. A queued task is only a wake-up; the ledger holds the work, and the sweep finds it
        # if this fails.
        with transaction.atomic():
            for workspace_id, user_id in sorted(groups, key=lambda g: (g[0], g[1] or 0)):
                async_task("activities.tasks.writeback_batch_run", workspace_id, user_id, task_name="writeback")

    transaction.on_commit(enqueue)


def writeback_wake_dependents_on_commit(*, workspace_id: int, user_id: int | None, job_ids: list[int]) -> None:
    """A rep's run just finished some jobs: other reps' jobs on the same prospects were held back by them (jobs of
    one prospect go in event order; a Task waits for the prospect another rep is creating). Wake those reps now
    rather than at the next sweep. Only finished jobs count, so wake-ups cannot bounce between reps for ever."""

    def wake() -> None:
        settled = WritebackJob.objects.filter(pk__in=job_ids).exclude(status__in=UNFINISHED_STATUSES)
        prospects = set(settled.values_list("prospect_id", flat=True))
        if not prospects:
            return
        waiting = groups_waiting_on(workspace_id=workspace_id, prospect_ids=prospects, except_user_id=user_id)
        for group_workspace_id, group_user_id in waiting:
            async_task("activities.tasks.writeback_batch_run", group_workspace_id, group_user_id,
                       task_name="writeback")  # fmt: skip

    transaction.on_commit(wake)


def writeback_continue(*, workspace_id: int, user_id: int | None) -> None:
    """Queue another run for this rep now: its claim was full, so more of its jobs are due. Another worker claims
    the next chunk while this one writes (a large import's first Tasks go out before the rest is claimed)."""
    async_task("activities.tasks.writeback_batch_run", workspace_id, user_id, task_name="writeback")


def writeback_continue_on_commit(*, workspace_id: int, user_id: int | None, job_ids: list[int]) -> None:
    """A run of this rep just settled `job_ids`: if more of the rep's jobs are due now (ones this run's jobs held
    back, jobs that came in while it wrote), run again at once rather than at the next sweep. Only a run that
    claimed something calls this, and what it settled is no longer due, so runs cannot chase each other for ever."""

    def again() -> None:
        if due_left(workspace_id=workspace_id, user_id=user_id, exclude_ids=job_ids):
            writeback_continue(workspace_id=workspace_id, user_id=user_id)

    transaction.on_commit(again)
