"""Relative date ranges, datetime normalisation and Salesforce id handling."""

from __future__ import annotations

import datetime as dt

import pytest

from sandbox.soql import MalformedQuery, compile_query
from sandbox.soql.dates import literal_range, normalize_datetime_value, parse_datetime_literal
from sandbox.soql.values import canonical_id

from .data import SCHEMA

D = dt.date
WED = D(2024, 5, 15)


@pytest.mark.parametrize(
    ("name", "n", "today", "expected"),
    [
        ("TODAY", None, WED, (D(2024, 5, 15), D(2024, 5, 16))),
        ("YESTERDAY", None, D(2024, 3, 1), (D(2024, 2, 29), D(2024, 3, 1))),
        ("TOMORROW", None, D(2024, 12, 31), (D(2025, 1, 1), D(2025, 1, 2))),
        ("THIS_WEEK", None, WED, (D(2024, 5, 12), D(2024, 5, 19))),  # Sunday start
        ("THIS_WEEK", None, D(2024, 5, 12), (D(2024, 5, 12), D(2024, 5, 19))),  # on a Sunday
        ("THIS_WEEK", None, D(2024, 5, 18), (D(2024, 5, 12), D(2024, 5, 19))),  # on a Saturday
        ("LAST_WEEK", None, WED, (D(2024, 5, 5), D(2024, 5, 12))),
        ("NEXT_WEEK", None, WED, (D(2024, 5, 19), D(2024, 5, 26))),
        ("THIS_MONTH", None, D(2024, 2, 10), (D(2024, 2, 1), D(2024, 3, 1))),
        ("LAST_MONTH", None, D(2024, 1, 10), (D(2023, 12, 1), D(2024, 1, 1))),
        ("NEXT_MONTH", None, D(2024, 12, 10), (D(2025, 1, 1), D(2025, 2, 1))),
        ("THIS_QUARTER", None, WED, (D(2024, 4, 1), D(2024, 7, 1))),
        ("LAST_QUARTER", None, D(2024, 2, 1), (D(2023, 10, 1), D(2024, 1, 1))),
        ("THIS_YEAR", None, WED, (D(2024, 1, 1), D(2025, 1, 1))),
        ("LAST_YEAR", None, WED, (D(2023, 1, 1), D(2024, 1, 1))),
        ("LAST_90_DAYS", None, WED, (D(2024, 2, 15), D(2024, 5, 16))),
        ("LAST_N_DAYS", 1, WED, (D(2024, 5, 14), D(2024, 5, 16))),  # yesterday and today
        ("LAST_N_DAYS", 7, WED, (D(2024, 5, 8), D(2024, 5, 16))),
        ("NEXT_N_DAYS", 3, WED, (D(2024, 5, 16), D(2024, 5, 19))),  # starts tomorrow
        ("N_DAYS_AGO", 3, WED, (D(2024, 5, 12), D(2024, 5, 13))),
        ("LAST_N_WEEKS", 2, WED, (D(2024, 4, 28), D(2024, 5, 12))),
        ("NEXT_N_WEEKS", 1, WED, (D(2024, 5, 19), D(2024, 5, 26))),
        ("N_WEEKS_AGO", 1, WED, (D(2024, 5, 5), D(2024, 5, 12))),
        ("LAST_N_MONTHS", 2, D(2024, 1, 20), (D(2023, 11, 1), D(2024, 1, 1))),  # excludes this month
        ("NEXT_N_MONTHS", 2, D(2024, 11, 20), (D(2024, 12, 1), D(2025, 2, 1))),
        ("N_MONTHS_AGO", 1, D(2024, 3, 31), (D(2024, 2, 1), D(2024, 3, 1))),
        ("LAST_N_QUARTERS", 1, WED, (D(2024, 1, 1), D(2024, 4, 1))),
        ("LAST_N_YEARS", 2, WED, (D(2022, 1, 1), D(2024, 1, 1))),
        ("N_YEARS_AGO", 1, WED, (D(2023, 1, 1), D(2024, 1, 1))),
    ],
)
def test_literal_ranges(name: str, n: int | None, today: dt.date, expected: tuple[dt.date, dt.date]) -> None:
    assert literal_range(name, n, today) == expected


def test_huge_n_is_a_query_error() -> None:
    with pytest.raises(MalformedQuery):
        compile_query("SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:99999999", SCHEMA)
    with pytest.raises(MalformedQuery):
        compile_query("SELECT Id FROM Contact WHERE CreatedDate = NEXT_N_YEARS:99999", SCHEMA)


def test_now_defaults_to_the_clock_and_naive_now_is_utc() -> None:
    compile_query("SELECT Id FROM Contact WHERE CreatedDate = TODAY", SCHEMA)
    plan = compile_query(
        "SELECT Id FROM Contact WHERE CreatedDate = TODAY", SCHEMA, now=dt.datetime(2024, 5, 15, 23, 0)
    )
    assert plan.matches({"CreatedDate": "2024-05-15T00:00:00.000+0000"}, {})
    # 2024-05-16 01:00+05:00 is still the 15th in UTC.
    plan = compile_query(
        "SELECT Id FROM Contact WHERE CreatedDate = TODAY",
        SCHEMA,
        now=dt.datetime(2024, 5, 16, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    )
    assert plan.matches({"CreatedDate": "2024-05-15T12:00:00.000+0000"}, {})


@pytest.mark.parametrize(
    ("literal", "stored"),
    [
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000+0000"),
        ("2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.500+0000"),
        ("2024-05-01T10:00:00.123456Z", "2024-05-01T10:00:00.123+0000"),
        ("2024-05-01T00:30:00+01:00", "2024-04-30T23:30:00.000+0000"),
        ("2024-12-31T23:00:00-02:00", "2025-01-01T01:00:00.000+0000"),
    ],
)
def test_datetime_literal_normalisation(literal: str, stored: str) -> None:
    assert parse_datetime_literal(literal) == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00.000+0000"),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000+0000"),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:00.000+0000"),
        ("2024-05-01T12:00:00.000+0200", "2024-05-01T10:00:00.000+0000"),
        (dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC), "2024-05-01T10:00:00.000+0000"),
        ("not a date", None),
        (42, None),
    ],
)
def test_stored_datetime_slow_path(value: object, stored: str | None) -> None:
    assert normalize_datetime_value(value) == stored


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Vectors from the reference (section 6).
        ("00558000001N0Ke", "00558000001N0KeAAK"),
        ("001D000000K0fXO", "001D000000K0fXOIAZ"),
        ("001D000000K0fXOIAZ", "001D000000K0fXOIAZ"),
        ("001d000000k0fxoiaz", "001D000000K0fXOIAZ"),  # case restored from the suffix
        ("001D000000K0fXO!", None),
        ("001D000000K0fX", None),
        ("", None),
        ("00000000000000099A", None),  # suffix claims an upper-case letter where there is a digit
    ],
)
def test_canonical_id(value: str, expected: str | None) -> None:
    assert canonical_id(value) == expected
