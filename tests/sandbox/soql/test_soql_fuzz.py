"""Hostile input: whatever the text, the engine raises SoqlError or returns a plan; never a crash."""

from __future__ import annotations

import random

import pytest

from sandbox.soql import SoqlError, compile_query

from .data import CONTACTS, NOW, SCHEMA

TOKENS = [
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "LIKE",
    "INCLUDES",
    "EXCLUDES",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULLS",
    "FIRST",
    "LAST",
    "LIMIT",
    "OFFSET",
    "COUNT",
    "GROUP",
    "TYPEOF",
    "WITH",
    "Id",
    "Email",
    "LastName",
    "Account",
    "Account.Name",
    "Owner.Email",
    "CreatedDate",
    "Birthdate",
    "HasOptedOutOfEmail",
    "Score__c",
    "Interests__c",
    "Contact",
    "Lead",
    "Foo",
    "null",
    "true",
    "false",
    "TODAY",
    "LAST_N_DAYS",
    "LAST_N_DAYS:3",
    ":",
    "=",
    "!=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "==",
    "(",
    ")",
    ",",
    ".",
    "'x'",
    "'a%'",
    "'\\_'",
    "'\\q'",
    "'unterminated",
    '"dq"',
    "5",
    "-1",
    "2.5",
    "2001",
    "99999999999999999999",
    "2024-05-01",
    "2024-02-30",
    "2024-05-01T10:00:00Z",
    "2024-05-01T10:00:00+25:00",
    "'003000000000001AAA'",
    "'abc'",
    "\\",
    ";",
    "*",
    "é",
    "\x00",
    "\n",
]

VALID_PREFIX = "SELECT Id, Account.Name FROM Contact WHERE "


def _exercise(soql: str) -> None:
    try:
        plan = compile_query(soql, SCHEMA, now=NOW)
    except SoqlError as exc:
        assert isinstance(exc.message, str) and exc.error_code
        return
    if plan.is_aggregate:
        plan.aggregate(CONTACTS)
        return
    matched = [pair for pair in CONTACTS if plan.matches(*pair)]
    for row, parents in plan.window(plan.sort(matched)):
        if not plan.is_count:
            plan.project(row, parents)
            plan.csv_values(row, parents)


@pytest.mark.parametrize("seed", range(6))
def test_random_token_soup(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        _exercise(" ".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 25))))


@pytest.mark.parametrize("seed", range(6))
def test_random_where_clauses(seed: int) -> None:
    # A valid head makes the parser reach the WHERE/ORDER BY code paths far more often.
    rng = random.Random(1000 + seed)
    for _ in range(100):
        _exercise(VALID_PREFIX + " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 12))))


FIELDS = [
    "Id",
    "Email",
    "LastName",
    "AccountId",
    "Birthdate",
    "CreatedDate",
    "HasOptedOutOfEmail",
    "Score__c",
    "Interests__c",
    "Wake__c",
    "Account.Name",
    "Account.AnnualRevenue",
    "Account.NumberOfEmployees",
    "Owner.IsActive",
]
OPERATORS = ["=", "!=", "<>", "<", ">", "<=", ">=", "LIKE", "IN", "NOT IN", "INCLUDES", "EXCLUDES"]
VALUES = [
    "null",
    "true",
    "FALSE",
    "0",
    "-3",
    "10.5",
    "'x'",
    "''",
    "'%A_b\\%'",
    "'003000000000001AAA'",
    "'003000000000001'",
    "2024-05-08",
    "2024-05-08T23:59:59Z",
    "2024-05-15T11:00:00.000+02:00",
    "TODAY",
    "LAST_N_DAYS:7",
    "THIS_WEEK",
    "N_MONTHS_AGO:2",
    "NEXT_N_YEARS:1",
    "'golf;chess'",
]


def _condition(rng: random.Random, depth: int = 0) -> str:
    if depth < 3 and rng.random() < 0.35:
        joiner = rng.choice([" AND ", " OR "])
        inner = joiner.join(_condition(rng, depth + 1) for _ in range(rng.randint(2, 3)))
        return f"({inner})" if rng.random() < 0.8 else inner
    if depth < 3 and rng.random() < 0.1:
        return f"(NOT {_condition(rng, depth + 1)})"
    op = rng.choice(OPERATORS)
    if op in ("IN", "NOT IN", "INCLUDES", "EXCLUDES"):
        value = "(" + ", ".join(rng.choice(VALUES) for _ in range(rng.randint(1, 3))) + ")"
    else:
        value = rng.choice(VALUES)
    return f"{rng.choice(FIELDS)} {op} {value}"


def _grammar_query(rng: random.Random) -> str:
    select = ", ".join(rng.sample(FIELDS, rng.randint(1, 4)))
    soql = f"SELECT {select} FROM Contact"
    if rng.random() < 0.9:
        soql += " WHERE " + _condition(rng)
    if rng.random() < 0.5:
        keys = [
            f"{f} {rng.choice(['', 'ASC', 'DESC'])} {rng.choice(['', 'NULLS FIRST', 'NULLS LAST'])}"
            for f in rng.sample(FIELDS, rng.randint(1, 3))
        ]
        soql += " ORDER BY " + ", ".join(keys)
    if rng.random() < 0.3:
        soql += f" LIMIT {rng.randint(0, 5)}"
    if rng.random() < 0.2:
        soql += f" OFFSET {rng.choice([0, 1, 3, 2001])}"
    return soql


@pytest.mark.parametrize("seed", range(4))
def test_random_grammar_queries(seed: int) -> None:
    # Mostly well-formed, often ill-typed: drives type checking and evaluation, not just parsing.
    rng = random.Random(2000 + seed)
    for _ in range(100):
        _exercise(_grammar_query(rng))


def test_random_bytes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        _exercise("".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 60))))


def test_truncations_of_a_valid_query() -> None:
    soql = (
        "SELECT Id, Account.Name FROM Contact WHERE (Email LIKE '%\\_x%' OR Score__c >= -2.5) AND "
        "CreatedDate = LAST_N_DAYS:7 ORDER BY Account.Name DESC NULLS LAST LIMIT 10 OFFSET 1"
    )
    for cut in range(len(soql) + 1):
        _exercise(soql[:cut])


def test_oversized_query() -> None:
    with pytest.raises(SoqlError):
        compile_query("SELECT Id FROM Contact WHERE Email IN (" + ",".join(["'a@b.co'"] * 20000) + ")", SCHEMA)
