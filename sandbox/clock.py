"""The sandbox clock (real time plus an adjustable offset) and Salesforce's date/time formats."""

from __future__ import annotations

import datetime as dt
import time

UTC = dt.UTC


class Clock:
    def __init__(self) -> None:
        self.offset_s = 0.0

    def time(self) -> float:
        return time.time() + self.offset_s

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.time(), UTC)


def sf_datetime(value: dt.datetime) -> str:
    """``2024-05-01T10:00:00.000+0000``: what the REST API returns for datetime fields."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> dt.datetime | None:
    """Parse the ISO forms Salesforce accepts (``Z``, ``+00:00``, ``+0000``, with or without millis)."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    s = text.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    elif len(s) > 5 and s[-5] in "+-" and s[-4:].isdigit() and ":" not in s[-5:]:
        s = s[:-2] + ":" + s[-2:]
    try:
        parsed = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(text: str) -> dt.date | None:
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
