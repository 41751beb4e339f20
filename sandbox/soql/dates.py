"""Date and datetime literals.

Datetimes are handled as the emulator stores them, "YYYY-MM-DDTHH:MM:SS.fffZ" but with "+0000":
a fixed-width UTC string, so string order is time order and filters compare strings, never parse.

Relative literals (TODAY, LAST_N_DAYS:n, ...) become half-open date ranges [start, end). Salesforce
evaluates them in the user's time zone and locale; the sandbox uses UTC and a Sunday week start
(en_US), which is what a default Developer Edition user gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

DATETIME_WIDTH = len("2024-05-01T10:00:00.000+0000")


def format_datetime(value: dt.datetime) -> str:
    """UTC, millisecond precision, "+0000" suffix: the REST API's datetime format."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def parse_date_literal(text: str) -> str:
    """Validate "YYYY-MM-DD" (2024-02-30 is an error, as in Salesforce)."""
    return dt.date.fromisoformat(text).isoformat()


def parse_datetime_literal(text: str) -> str:
    """ "2024-05-01T10:00:00Z" / ".000Z" / "+02:00" / "+0200" -> stored form in UTC."""
    base, frac, zone = text[:19], "", text[19:]
    if zone.startswith("."):
        digits = len(zone) - len(zone.lstrip(".0123456789"))
        frac, zone = zone[1:digits], zone[digits:]
    if zone == "Z":
        zone = "+00:00"
    elif len(zone) == 5:  # "+0000", the form Salesforce itself returns
        zone = f"{zone[:3]}:{zone[3:]}"
    micro = int((frac + "000000")[:6]) if frac else 0
    parsed = dt.datetime.fromisoformat(base + zone).replace(microsecond=micro)
    return format_datetime(parsed)


def normalize_datetime_value(value: object) -> str | None:
    """Slow path for stored values not already in the fixed-width form (datetime objects, "Z"
    suffixes, missing millis). Returns None for anything unparseable, so it never matches."""
    if isinstance(value, dt.datetime):
        return format_datetime(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000+0000"
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():  # "+0000" -> "+00:00"
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return format_datetime(parsed)


def datetime_bound(day: dt.date) -> str:
    """Midnight UTC of `day` in stored form, used as a range bound for datetime fields."""
    return f"{day.isoformat()}T00:00:00.000+0000"


# --- relative literals ------------------------------------------------------------------------

DateRange = tuple[dt.date, dt.date]
RangeFn = Callable[[dt.date, int], DateRange]  # (today, n) -> [start, end)


def _add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=(today.weekday() + 1) % 7)  # Sunday


def _month_start(today: dt.date) -> dt.date:
    return today.replace(day=1)


def _quarter_start(today: dt.date) -> dt.date:
    return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


def _year_start(today: dt.date) -> dt.date:
    return dt.date(today.year, 1, 1)


def _days(start: int, length: int) -> RangeFn:
    def span(today: dt.date, n: int) -> DateRange:
        first = today + dt.timedelta(days=start)
        return first, first + dt.timedelta(days=length)

    return span


def _weeks(offset: int) -> RangeFn:
    def span(today: dt.date, n: int) -> DateRange:
        first = _week_start(today) + dt.timedelta(weeks=offset)
        return first, first + dt.timedelta(weeks=1)

    return span


def _months(unit: int, anchor: Callable[[dt.date], dt.date], offset: int) -> RangeFn:
    def span(today: dt.date, n: int) -> DateRange:
        first = _add_months(anchor(today), offset * unit)
        return first, _add_months(first, unit)

    return span


def _unit_span(
    unit_days: int | None, unit_months: int, anchor: Callable[[dt.date], dt.date]
) -> tuple[RangeFn, RangeFn, RangeFn]:
    """Builders for the parametric LAST_N_x / NEXT_N_x / N_x_AGO literals of one unit."""

    def shift(day: dt.date, count: int) -> dt.date:
        if unit_days is not None:
            return day + dt.timedelta(days=unit_days * count)
        return _add_months(day, unit_months * count)

    def last(today: dt.date, n: int) -> DateRange:  # the n whole units before the current one
        start = anchor(today)
        return shift(start, -n), start

    def next_(today: dt.date, n: int) -> DateRange:  # the n whole units after the current one
        start = shift(anchor(today), 1)
        return start, shift(start, n)

    def ago(today: dt.date, n: int) -> DateRange:
        start = shift(anchor(today), -n)
        return start, shift(start, 1)

    return last, next_, ago


_LAST_N_WEEKS, _NEXT_N_WEEKS, _N_WEEKS_AGO = _unit_span(7, 0, _week_start)
_LAST_N_MONTHS, _NEXT_N_MONTHS, _N_MONTHS_AGO = _unit_span(None, 1, _month_start)
_LAST_N_QUARTERS, _NEXT_N_QUARTERS, _N_QUARTERS_AGO = _unit_span(None, 3, _quarter_start)
_LAST_N_YEARS, _NEXT_N_YEARS, _N_YEARS_AGO = _unit_span(None, 12, _year_start)


def _last_n_days(today: dt.date, n: int) -> DateRange:
    # Includes today: LAST_N_DAYS:1 is yesterday and today (Salesforce docs).
    return today - dt.timedelta(days=n), today + dt.timedelta(days=1)


def _next_n_days(today: dt.date, n: int) -> DateRange:
    # Starts tomorrow and excludes today.
    return today + dt.timedelta(days=1), today + dt.timedelta(days=n + 1)


def _n_days_ago(today: dt.date, n: int) -> DateRange:
    day = today - dt.timedelta(days=n)
    return day, day + dt.timedelta(days=1)


FIXED_LITERALS: dict[str, RangeFn] = {
    "YESTERDAY": _days(-1, 1),
    "TODAY": _days(0, 1),
    "TOMORROW": _days(1, 1),
    "LAST_WEEK": _weeks(-1),
    "THIS_WEEK": _weeks(0),
    "NEXT_WEEK": _weeks(1),
    "LAST_MONTH": _months(1, _month_start, -1),
    "THIS_MONTH": _months(1, _month_start, 0),
    "NEXT_MONTH": _months(1, _month_start, 1),
    "LAST_QUARTER": _months(3, _quarter_start, -1),
    "THIS_QUARTER": _months(3, _quarter_start, 0),
    "NEXT_QUARTER": _months(3, _quarter_start, 1),
    "LAST_YEAR": _months(12, _year_start, -1),
    "THIS_YEAR": _months(12, _year_start, 0),
    "NEXT_YEAR": _months(12, _year_start, 1),
    "LAST_90_DAYS": lambda today, n: _last_n_days(today, 90),
    "NEXT_90_DAYS": lambda today, n: _next_n_days(today, 90),
}

PARAMETRIC_LITERALS: dict[str, RangeFn] = {
    "LAST_N_DAYS": _last_n_days,
    "NEXT_N_DAYS": _next_n_days,
    "N_DAYS_AGO": _n_days_ago,
    "LAST_N_WEEKS": _LAST_N_WEEKS,
    "NEXT_N_WEEKS": _NEXT_N_WEEKS,
    "N_WEEKS_AGO": _N_WEEKS_AGO,
    "LAST_N_MONTHS": _LAST_N_MONTHS,
    "NEXT_N_MONTHS": _NEXT_N_MONTHS,
    "N_MONTHS_AGO": _N_MONTHS_AGO,
    "LAST_N_QUARTERS": _LAST_N_QUARTERS,
    "NEXT_N_QUARTERS": _NEXT_N_QUARTERS,
    "N_QUARTERS_AGO": _N_QUARTERS_AGO,
    "LAST_N_YEARS": _LAST_N_YEARS,
    "NEXT_N_YEARS": _NEXT_N_YEARS,
    "N_YEARS_AGO": _N_YEARS_AGO,
}

# Recognised so the error says "unsupported" rather than "unexpected token".
UNSUPPORTED_LITERALS = frozenset(
    {
        "THIS_FISCAL_QUARTER",
        "LAST_FISCAL_QUARTER",
        "NEXT_FISCAL_QUARTER",
        "THIS_FISCAL_YEAR",
        "LAST_FISCAL_YEAR",
        "NEXT_FISCAL_YEAR",
        "NEXT_N_FISCAL_QUARTERS",
        "LAST_N_FISCAL_QUARTERS",
        "N_FISCAL_QUARTERS_AGO",
        "NEXT_N_FISCAL_YEARS",
        "LAST_N_FISCAL_YEARS",
        "N_FISCAL_YEARS_AGO",
    }
)


def literal_range(name: str, n: int | None, today: dt.date) -> DateRange:
    """Range for a relative literal; ValueError/OverflowError for ranges outside year 1..9999."""
    table = PARAMETRIC_LITERALS if n is not None else FIXED_LITERALS
    return table[name](today, n or 0)
