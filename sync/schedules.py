"""The one django-q2 Schedule of inbound sync, created idempotently after migrations."""

from __future__ import annotations

TICK_FUNC = "sync.tasks.sync_tick"
TICK_NAME = "inbound-sync-tick"


def schedules_ensure() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=TICK_NAME,
        defaults={"func": TICK_FUNC, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
    )


def schedules_ensure_after_migrate(sender=None, **kwargs) -> None:
    from django.db import connections

    using = kwargs.get("using", "default")
    if "django_q_schedule" in connections[using].introspection.table_names():
        schedules_ensure()
