"""Writes of core: the worker heartbeat."""

from __future__ import annotations

import logging
import os
import time

from django.conf import settings
from django.utils import timezone

from core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A busy worker starts many tasks a second; one write every few seconds per process is proof enough.
TASK_START_BEAT_EVERY_S = 5.0
_last_task_start_beat = 0.0


def heartbeat_cluster_name() -> str:
    return settings.Q_CLUSTER.get("name", "default")


def worker_heartbeat_record() -> None:
    """Record that a worker of this cluster is executing tasks, now."""
    WorkerHeartbeat.objects.update_or_create(
        cluster=heartbeat_cluster_name(), defaults={"beat_at": timezone.now(), "pid": os.getpid()}
    )


def worker_heartbeat_on_task_start(sender=None, task=None, **kwargs) -> None:
    """django-q2 `pre_execute` receiver: any task a worker takes off the queue proves the queue still hands work out.

    Without it a long backlog would delay the scheduled heartbeat task behind real work and read as a stall.
    """
    global _last_task_start_beat
    if task is None or task.get("sync"):
        return  # run inline by the caller (tests, `sync` mode): no worker to vouch for
    now = time.monotonic()
    if now - _last_task_start_beat < TASK_START_BEAT_EVERY_S:
        return
    try:
        worker_heartbeat_record()
    except Exception as exc:  # a receiver that raises would kill the worker; the next task or schedule beats again
        logger.warning("worker_heartbeat.record_failed", extra={"error": str(exc)})
        return
    _last_task_start_beat = now
