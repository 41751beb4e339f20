"""Lags in words for the sync health page: "up to date", "12 min behind" (times: `core.humanize.ago`)."""

from __future__ import annotations

import datetime as dt

from core.humanize import duration_words

UP_TO_DATE_SLACK = dt.timedelta(minutes=1)
"""An object is up to date while its lag stays within the sync interval plus one tick (the scheduler's minute)."""


def lag_words(lag: dt.timedelta | None, interval: dt.timedelta) -> str:
    if lag is None:
        return "not synced yet"
    if lag <= interval + UP_TO_DATE_SLACK:
        return "up to date"
    if lag < dt.timedelta(hours=1):
        return f"{int(lag.total_seconds() // 60)} min behind"
    return f"{duration_words(lag)} behind"
