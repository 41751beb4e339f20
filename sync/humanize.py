"""Times and lags in words for the sync health page: "just now", "3 minutes ago", "up to date", "12 min behind".

Django's `timesince` says "0 minutes" under a minute and joins its words with non-breaking spaces; these read the
way a person would say them and stay plain text (tests and screen readers see what is shown).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

UP_TO_DATE_SLACK = dt.timedelta(minutes=1)
"""An object is up to date while its lag stays within the sync interval plus one tick (the scheduler's minute)."""


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_words(delta: dt.timedelta) -> str:
    """One unit, rounded down: "3 minutes", "5 hours", "2 days" (hours up to two days, so "36 hours")."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    return _plural(hours, "hour") if hours < 48 else _plural(hours // 24, "day")


def ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if not value:  # None, or "" from a template lookup on a missing state
        return "never"
    delta = (now or timezone.now()) - value
    if delta < dt.timedelta(minutes=1):  # includes a clock a little ahead of ours
        return "just now"
    return f"{duration_words(delta)} ago"


def lag_words(lag: dt.timedelta | None, interval: dt.timedelta) -> str:
    if lag is None:
        return "not synced yet"
    if lag <= interval + UP_TO_DATE_SLACK:
        return "up to date"
    if lag < dt.timedelta(hours=1):
        return f"{int(lag.total_seconds() // 60)} min behind"
    return f"{duration_words(lag)} behind"
