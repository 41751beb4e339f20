"""The scheduled sweep: wake paused jobs that can go again, then start a batch run for every rep with due work.

It needs no coupling to the connections code: reconnect-paused jobs resume here once their rep's connection
works again (and `writeback_resume_for_connection` does it at once when called).
"""

from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from activities.models import JobStatus, WritebackJob
from activities.services.writeback.claim import groups_due
from integrations.models import Connection, ConnectionKind, ConnectionStatus

logger = logging.getLogger(__name__)


def writeback_wake(*, now=None) -> int:
    """Budget waits that are over, and reconnect waits whose rep can write again, become pending."""
    now = now or timezone.now()
    woken = WritebackJob.objects.filter(status=JobStatus.WAITING_BUDGET, next_attempt_at__lte=now).update(
        status=JobStatus.PENDING, updated_at=now
    )
    connected = Connection.objects.filter(kind=ConnectionKind.USER, status=ConnectionStatus.CONNECTED).values_list(
        "workspace_id", "user_id"
    )
    condition = Q()
    for workspace_id, user_id in connected:
        condition |= Q(workspace_id=workspace_id, user_id=user_id)
    if condition:
        woken += WritebackJob.objects.filter(condition, status=JobStatus.WAITING_RECONNECT).update(
            status=JobStatus.PENDING, next_attempt_at=now, updated_at=now
        )
    return woken


def writeback_drain_due(*, now=None, inline: bool = False) -> int:
    """Start a batch run for each rep with due or stalled jobs; returns how many were started."""
    from activities.services.writeback.runner import writeback_batch_run

    writeback_wake(now=now)
    groups = groups_due(now=now)
    for workspace_id, user_id in groups:
        if inline:
            writeback_batch_run(workspace_id=workspace_id, user_id=user_id, now=now)
        else:
            async_task("activities.tasks.writeback_batch_run", workspace_id, user_id, task_name="writeback")
    if groups:
        logger.info("writeback.drain", extra={"groups": len(groups)})
    return len(groups)


def writeback_resume_for_connection(*, connection: Connection) -> int:
    """Call when a rep reconnects: their paused jobs go again right away."""
    if connection.status != ConnectionStatus.CONNECTED or connection.user_id is None:
        return 0
    now = timezone.now()
    count = WritebackJob.objects.filter(
        workspace_id=connection.workspace_id, user_id=connection.user_id, status=JobStatus.WAITING_RECONNECT
    ).update(status=JobStatus.PENDING, next_attempt_at=now, updated_at=now)
    if count:
        async_task("activities.tasks.writeback_batch_run", connection.workspace_id, connection.user_id,
                   task_name="writeback")  # fmt: skip
    return count
