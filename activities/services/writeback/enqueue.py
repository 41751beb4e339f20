"""Waking workers: one django-q2 task per rep with new jobs, sent only once the jobs are committed."""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from activities.models import WritebackJob


def writeback_enqueue_on_commit(*, job_ids: list[int]) -> None:
    groups = set(WritebackJob.objects.filter(pk__in=job_ids).values_list("workspace_id", "user_id"))

    def enqueue() -> None:
        for workspace_id, user_id in sorted(groups, key=lambda g: (g[0], g[1] or 0)):
            async_task("activities.tasks.writeback_batch_run", workspace_id, user_id, task_name="writeback")

    transaction.on_commit(enqueue)
