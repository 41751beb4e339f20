"""SOQL second pass, over real HTTP against the sandbox: datetime offsets, parent paths, semi-joins,
child subqueries, aggregates and column metadata."""

from __future__ import annotations

import pytest


def ids(page: dict) -> set[str]:
    return {r["Id"] for r in page["records"]}


# --- datetime literals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "literal",
    ["2000-01-01T00:00:00.000+0000", "2000-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00", "2000-01-01T01:30:00+0130"],
)
def test_datetime_literal_offsets(api, literal) -> None:
    contact = api.create("Contact", LastName="Dated")
    after = api.query(f"SELECT Id FROM Contact WHERE CreatedDate > {literal}")
    assert after.status_code == 200, after.text
    assert ids(after.json()) == {contact}
    before = api.query(f"SELECT Id FROM Contact WHERE CreatedDate < {literal}").json()
    assert before["totalSize"] == 0


def test_datetime_offset_without_colon_shifts_the_instant(api) -> None:
    # 2100-01-01T00:00:00-0100 is 01:00 UTC; a record created today is before both spellings.
    api.create("Contact", LastName="Dated")
    for literal in ("2100-01-01T00:00:00.000-0100", "2100-01-01T00:00:00-01:00"):
        page = api.query(f"SELECT Id FROM Contact WHERE CreatedDate < {literal}").json()
        assert page["totalSize"] == 1, literal
    bad = api.query("SELECT Id FROM Contact WHERE CreatedDate > 2000-01-01T00:00:00+2500")
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "MALFORMED_QUERY"
