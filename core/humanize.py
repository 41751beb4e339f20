"""Times in words as a person says them: "just now", "3 minutes ago", "36 hours ago", "never".

Django's `timesince` says "0 minutes" under a minute and joins its words with non-breaking spaces; these stay plain
text, so tests and screen readers see what is shown. Every page that says when something happened uses `ago`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


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
    if not value:  # None, or "" from a template lookup on a missing value
        return "never"
    delta = (now or timezone.now()) - value
    if delta < dt.timedelta(minutes=1):  # includes a clock a little ahead of ours
        return "just now"
    return f"{duration_words(delta)} ago"
