"""The worker heartbeat schedule, created idempotently after migrations."""

from __future__ import annotations

from datetime import timedelta

HEARTBEAT_FUNC = "core.tasks.worker_heartbeat"
# django-q2 schedules run at most once a minute (sub-minute needs croniter), and its scheduler looks every ~15 s.
# Two one-minute rows half a minute apart give a beat about every 30 s, well inside WORKER_HEARTBEAT_STALE_SECONDS.
HEARTBEAT_NAMES = ("worker heartbeat (:00)", "worker heartbeat (:30)")


def schedules_ensure() -> None:
    from django.utils import timezone
    from django_q.models import Schedule

    now = timezone.now()
    for offset, name in enumerate(HEARTBEAT_NAMES):
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": HEARTBEAT_FUNC, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
            # only on creation: re-running migrate must not collapse the two rows onto the same second
            create_defaults={
                "func": HEARTBEAT_FUNC,
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
                "next_run": now + timedelta(seconds=30 * offset),
            },
        )


def schedules_ensure_after_migrate(sender=None, **kwargs) -> None:
    from django.db import connections

    using = kwargs.get("using", "default")
    if "django_q_schedule" in connections[using].introspection.table_names():
        schedules_ensure()
