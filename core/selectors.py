"""Reads of core: is a django-q2 worker executing tasks?"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.services import heartbeat_cluster_name

# When this process loaded us (with the URLs, so about when it started): the grace of a fresh install counts from here.
_PROCESS_STARTED = time.monotonic()


@dataclass(frozen=True)
class WorkerHealth:
    status: str  # "ok" | "stale" | "unknown"
    heartbeat_age_seconds: int | None
    healthy: bool


def worker_heartbeat_age() -> float | None:
    """Seconds since a worker of this cluster last took a task, or None if none ever has."""
    beat_at = WorkerHeartbeat.objects.filter(cluster=heartbeat_cluster_name()).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return None
    return max(0.0, (timezone.now() - beat_at).total_seconds())  # hosts' clocks may disagree by a little


def worker_health() -> WorkerHealth:
    """What /healthz says about the workers.

    A beat younger than WORKER_HEARTBEAT_STALE_SECONDS is "ok", an older one "stale" (unhealthy). With no beat ever
    recorded (a fresh install, or no worker started yet) it is "unknown": healthy during the first
    WORKER_HEARTBEAT_STALE_SECONDS of this process, so web and worker may start together, unhealthy after that; in
    `sync` mode (tasks run inline in the caller) there is no worker to wait for, so it stays healthy.
    """
    stale_after = settings.WORKER_HEARTBEAT_STALE_SECONDS
    age = worker_heartbeat_age()
    if age is None:
        in_grace = time.monotonic() - _PROCESS_STARTED <= stale_after
        return WorkerHealth("unknown", None, healthy=in_grace or bool(settings.Q_CLUSTER.get("sync")))
    if age <= stale_after:
        return WorkerHealth("ok", int(age), healthy=True)
    return WorkerHealth("stale", int(age), healthy=False)
