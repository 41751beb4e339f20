"""Fixtures for the SOQL engine tests (data lives in data.py so tests can import it)."""

from __future__ import annotations

import pytest

from sandbox.soql import compile_query
from sandbox.soql.testing import StaticSchema

from .data import CONTACTS, NOW, SCHEMA


@pytest.fixture
def schema() -> StaticSchema:
    return SCHEMA


@pytest.fixture
def run():
    """run(soql, pairs=CONTACTS) -> list of "key"s, after WHERE, ORDER BY, OFFSET and LIMIT."""

    def _run(soql: str, pairs: list[tuple[dict, dict]] | None = None) -> list[str]:
        plan = compile_query(soql, SCHEMA, now=NOW)
        pairs = CONTACTS if pairs is None else pairs
        matched = [(row, parents) for row, parents in pairs if plan.matches(row, parents)]
        return [row["key"] for row, _ in plan.window(plan.sort(matched))]

    return _run
