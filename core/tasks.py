"""django-q2 entry points of core."""

from __future__ import annotations

from core.services import worker_heartbeat_record


def worker_heartbeat() -> None:
    # Scheduled, so that an idle cluster still proves it hands out tasks (see core/schedules.py).
    worker_heartbeat_record()
