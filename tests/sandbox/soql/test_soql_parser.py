"""Syntax: what parses, what the tree looks like, and what is rejected as MALFORMED_QUERY."""

from __future__ import annotations

import pytest

from sandbox.soql import MalformedQuery, SoqlError, parse
from sandbox.soql.nodes import And, Comparison, CountItem, FieldPath, Not, Or


def test_full_statement_shape() -> None:
    q = parse(
        "select Id, Account.Name from Contact where Email != null "
        "order by LastName desc nulls first, Id limit 10 offset 5"
    )
    assert q.select == (FieldPath(("Id",), 7), FieldPath(("Account", "Name"), 11))
    assert q.sobject == "Contact"
    assert isinstance(q.where, Comparison) and q.where.op == "!="
    assert [(o.field.parts, o.descending, o.nulls_first) for o in q.order_by] == [
        (("LastName",), True, True),
        (("Id",), False, None),
    ]
    assert (q.limit, q.offset) == (10, 5)


def test_keywords_are_case_insensitive_and_names_keep_their_spelling() -> None:
    q = parse("SeLeCt id FrOm contact WhErE email LiKe 'a%' LiMiT 1")
    assert q.select[0].parts == ("id",)  # type: ignore[union-attr]
    assert q.sobject == "contact"
    assert q.limit == 1


def test_keyword_named_object_is_allowed() -> None:
    assert parse("SELECT Id FROM Order").sobject == "Order"


def test_not_equals_spellings_fold_together() -> None:
    a = parse("SELECT Id FROM Contact WHERE Email <> 'x'").where
    b = parse("SELECT Id FROM Contact WHERE Email != 'x'").where
    assert isinstance(a, Comparison) and isinstance(b, Comparison)
    assert a.op == b.op == "!="


def test_and_chain_and_or_chain() -> None:
    assert isinstance(parse("SELECT Id FROM Contact WHERE A = 1 AND B = 2 AND C = 3").where, And)
    assert isinstance(parse("SELECT Id FROM Contact WHERE A = 1 OR B = 2 OR C = 3").where, Or)


@pytest.mark.parametrize(
    "where",
    [
        "A = 1 AND B = 2 OR C = 3",
        "A = 1 OR B = 2 AND C = 3",
        "(A = 1 OR B = 2) AND C = 3 OR D = 4",
    ],
)
def test_mixing_and_or_without_parentheses_is_rejected(where: str) -> None:
    with pytest.raises(MalformedQuery) as exc:
        parse(f"SELECT Id FROM Contact WHERE {where}")
    assert "unexpected token" in exc.value.message


def test_parentheses_make_mixing_legal() -> None:
    where = parse("SELECT Id FROM Contact WHERE (A = 1 AND B = 2) OR C = 3").where
    assert isinstance(where, Or) and isinstance(where.operands[0], And)
    where = parse("SELECT Id FROM Contact WHERE A = 1 AND (B = 2 OR C = 3)").where
    assert isinstance(where, And) and isinstance(where.operands[1], Or)


def test_not_wraps_a_single_unit() -> None:
    where = parse("SELECT Id FROM Contact WHERE NOT Email LIKE '%x%'").where
    assert isinstance(where, Not) and isinstance(where.operand, Comparison)
    where = parse("SELECT Id FROM Contact WHERE NOT (A = 1 OR B = 2)").where
    assert isinstance(where, Not) and isinstance(where.operand, Or)
    where = parse("SELECT Id FROM Contact WHERE A = 1 AND (NOT B = 2)").where
    assert isinstance(where, And) and isinstance(where.operands[1], Not)


@pytest.mark.parametrize(
    "where",
    [
        "A = 1 AND NOT B = 2",  # Salesforce: unexpected token 'NOT'
        "NOT A = 1 AND B = 2",  # NOT must stand alone in its group
        "(NOT A = 1 OR B = 2)",
    ],
)
def test_not_next_to_and_or_needs_parentheses(where: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(f"SELECT Id FROM Contact WHERE {where}")


def test_not_in_is_an_operator() -> None:
    where = parse("SELECT Id FROM Contact WHERE Email NOT IN ('a', 'b')").where
    assert isinstance(where, Comparison) and where.op == "NOT IN" and len(where.value) == 2  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        (r"'O\'Neil'", "O'Neil"),
        (r"'back\\slash'", "back\\slash"),
        (r"'say \"hi\"'", 'say "hi"'),
        (r"'a\nb\rc\td\be\ff'", "a\nb\rc\td\be\ff"),
        (r"'caf\u00e9'", "café"),
        ("''", ""),
    ],
)
def test_string_escapes(raw: str, decoded: str) -> None:
    where = parse(f"SELECT Id FROM Contact WHERE LastName = {raw}").where
    assert isinstance(where, Comparison)
    assert where.value.value == decoded  # type: ignore[union-attr]


@pytest.mark.parametrize("raw", [r"'a\qb'", r"'50\%'", r"'a\_b'", r"'\u12'", r"'\uZZZZ'", "'trailing\\"])
def test_invalid_escapes_outside_like(raw: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(f"SELECT Id FROM Contact WHERE LastName = {raw}")


def test_like_accepts_wildcard_escapes_but_not_others() -> None:
    where = parse(r"SELECT Id FROM Contact WHERE Email LIKE '50\%\_%'").where
    assert isinstance(where, Comparison) and where.value.kind == "like"  # type: ignore[union-attr]
    with pytest.raises(MalformedQuery):
        parse(r"SELECT Id FROM Contact WHERE Email LIKE 'a\qb'")


def test_literal_kinds() -> None:
    where = parse(
        "SELECT Id FROM Contact WHERE Id IN (1, -2.5, true, FALSE, null, 2024-05-01, "
        "2024-05-01T10:00:00Z, 2024-05-01T10:00:00.123+02:00, TODAY, LAST_N_DAYS:30)"
    ).where
    assert isinstance(where, Comparison)
    assert [(lit.kind, lit.value) for lit in where.value] == [  # type: ignore[union-attr]
        ("number", 1),
        ("number", -2.5),
        ("boolean", True),
        ("boolean", False),
        ("null", None),
        ("date", "2024-05-01"),
        ("datetime", "2024-05-01T10:00:00.000+0000"),
        ("datetime", "2024-05-01T08:00:00.123+0000"),
        ("date_literal", ("TODAY", None)),
        ("date_literal", ("LAST_N_DAYS", 30)),
    ]


@pytest.mark.parametrize(
    "value",
    ["2024-02-30", "2024-13-01", "2024-05-01T25:00:00Z", "2024-05-01T10:00:00", "LAST_N_DAYS", "LAST_N_DAYS:x"],
)
def test_bad_date_values(value: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(f"SELECT Id FROM Contact WHERE CreatedDate > {value}")


def test_count_items() -> None:
    q = parse("SELECT COUNT() FROM Contact")
    assert q.select == (CountItem(None, None, 7),)
    q = parse("SELECT count(Id) total FROM Contact")
    assert q.select[0] == CountItem(FieldPath(("Id",), 13), "total", 7)


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT FIELDS(ALL) FROM Contact LIMIT 200",
        "SELECT TYPEOF What WHEN Account THEN Name END FROM Task",
        "SELECT Id FROM Contact WITH SECURITY_ENFORCED",
        "SELECT Id FROM Contact FOR UPDATE",
        "SELECT Id FROM Contact c",
        "SELECT Id FROM Contact, Account",
        "SELECT Id FROM Contact WHERE Email = :email",
        "SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = 2024",
        "SELECT toLabel(Status) FROM Lead",
        "SELECT Id FROM Contact WHERE CreatedDate = THIS_FISCAL_YEAR",
        "SELECT Name n FROM Contact",
    ],
)
def test_unsupported_constructs_are_malformed(soql: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(soql)


@pytest.mark.parametrize(
    "soql",
    [
        "",
        "SELECT",
        "SELECT FROM Contact",
        "SELECT Id",
        "SELECT Id FROM",
        "SELECT Id, FROM Contact",
        "SELECT Id FROM Contact WHERE",
        "SELECT Id FROM Contact WHERE Email",
        "SELECT Id FROM Contact WHERE Email = ",
        "SELECT Id FROM Contact WHERE (Email = 'a'",
        "SELECT Id FROM Contact WHERE Email = 'a')",
        "SELECT Id FROM Contact WHERE Email IN ()",
        'SELECT Id FROM Contact WHERE Email = "a"',
        "SELECT Id FROM Contact WHERE Email = 'unterminated",
        "SELECT Id FROM Contact WHERE Email == 'a'",
        "SELECT Id FROM Contact ORDER Id",
        "SELECT Id FROM Contact ORDER BY Id NULLS",
        "SELECT Id FROM Contact LIMIT -1",
        "SELECT Id FROM Contact LIMIT 1.5",
        "SELECT Id FROM Contact OFFSET 5 LIMIT 1",
        "SELECT Id FROM Contact LIMIT 1 LIMIT 2",
        "SELECT Id FROM Contact; DELETE",
        "UPDATE Contact SET Email = 'x'",
        "SELECT COUNT() c FROM Contact",
    ],
)
def test_garbage_is_malformed(soql: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(soql)


def test_deep_nesting_is_an_error_not_a_recursion_crash() -> None:
    with pytest.raises(MalformedQuery):
        parse("SELECT Id FROM Contact WHERE " + "(" * 5000 + "Id = null" + ")" * 5000)


def test_error_message_points_at_the_token() -> None:
    with pytest.raises(MalformedQuery) as exc:
        parse("SELECT Id FROM Contact WHERE Email = 'a'\n  AND Name = 'b' OR Id = null")
    err = exc.value
    assert err.error_code == "MALFORMED_QUERY"
    assert err.message == (
        "\n  AND Name = 'b' OR Id = null\n                 ^\nERROR at Row:2:Column:18\nunexpected token: OR"
    )
    assert str(err) == err.message


def test_non_string_input() -> None:
    with pytest.raises(SoqlError):
        parse(None)  # type: ignore[arg-type]
