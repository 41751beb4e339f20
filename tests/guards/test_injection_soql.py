"""Every place a SOQL string is built treats any value as data: property-based, over arbitrary text.

Each builder's output is parsed with the sandbox's SOQL parser (sandbox/soql, the grammar our emulator runs), and
the parsed literal must equal the input, with no extra condition (no `' OR Name != '`, no comment, no second
clause). Builders covered: inbound sync scope filters and lookbacks (sync/soql.py, used by sync/services/scope.py),
the query_records action and the actions' quote (actions/soql.py, also used by actions/services/execute.py), and
the prospect matching lookups of the writeback (activities/services/writeback/prospects.py).
Task duplicate guards (task_writes.py) put only ids Salesforce gave us into SOQL, through format_soql as well.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import soql as action_soql
from activities.models import Prospect
from activities.services.writeback import prospects as lookups
from sandbox.soql import parse
from sandbox.soql.nodes import And, Comparison, Literal, Not, Or
from sync import soql as sync_soql
from sync.types import FilterOperator

EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text Salesforce can store: every code point but NUL and lone surrogates, biased towards SOQL's own syntax.
SYNTAX = "'\"\\%_(),=!<>\n\r\t\b\f `{}:;-/*"
text = st.text(
    alphabet=st.one_of(
        st.sampled_from(SYNTAX), st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    ),
    max_size=40,
)
PAYLOADS = ["' OR Name != '", "\\' OR Id != null OR Name = \\'", "x') OR (Name != 'x", "%' OR Name LIKE '%",
            "'; DELETE FROM Account --", "\\", "'", "\\\\'", "a\nOR Name != null"]  # fmt: skip
text_or_payload = st.one_of(text, st.sampled_from(PAYLOADS))

DESCRIBE = {
    "name": "Account",
    "fields": [
        {"name": "Id", "type": "id", "filterable": True, "sortable": True},
        {"name": "Name", "type": "string", "filterable": True, "sortable": True},
        {"name": "Industry", "type": "picklist", "filterable": True, "picklistValues": []},
        {"name": "CreatedDate", "type": "datetime", "filterable": True},
    ],
}
FIELDS = {f["name"]: f for f in DESCRIBE["fields"]}


def comparisons(condition) -> list[Comparison]:
    if isinstance(condition, Comparison):
        return [condition]
    if isinstance(condition, Not):
        return comparisons(condition.operand)
    if isinstance(condition, And | Or):
        return [c for operand in condition.operands for c in comparisons(operand)]
    return []


def only_comparison(where_clause: str, sobject: str = "Account") -> Comparison:
    """The one comparison of `SELECT Id FROM sobject WHERE <clause>`: one, or the value broke out."""
    query = parse(f"SELECT Id FROM {sobject} WHERE {where_clause}")
    assert isinstance(query.where, Comparison), f"{where_clause!r} parsed as {query.where!r}"
    return query.where


def string_value(lit: Literal) -> str:
    assert lit.kind == "string", lit
    return lit.value


def like_matches(lit: Literal, value: str) -> bool:
    assert lit.kind == "like", lit
    return re.fullmatch(lit.value, value, flags=re.DOTALL | re.IGNORECASE) is not None


# -- sync scope filters --------------------------------------------------------------------------------------------


@EXAMPLES
@given(value=text_or_payload, operator=st.sampled_from([FilterOperator.EQUALS, FilterOperator.NOT_EQUALS]))
def test_sync_filter_equality_values_are_data(value, operator):
    clause = sync_soql.filter_clause(field_name="Name", operator=operator, values=[value], fields=FIELDS)
    comparison = only_comparison(clause)
    assert comparison.field.parts == ("Name",)
    assert string_value(comparison.value) == value


@EXAMPLES
@given(values=st.lists(text_or_payload, min_size=1, max_size=5), negate=st.booleans())
def test_sync_filter_in_lists_are_data(values, negate):
    operator = FilterOperator.NOT_IN if negate else FilterOperator.IN
    comparison = only_comparison(sync_soql.filter_clause(field_name="Name", operator=operator, values=values,
                                                         fields=FIELDS))  # fmt: skip
    assert comparison.op == ("NOT IN" if negate else "IN")
    assert [string_value(v) for v in comparison.value] == values


@EXAMPLES
@given(value=text_or_payload, operator=st.sampled_from([FilterOperator.CONTAINS, FilterOperator.STARTS_WITH]))
def test_sync_filter_like_values_match_only_themselves_literally(value, operator):
    """A LIKE filter's value is literal: its own % and _ are escaped, so it matches itself (inside the wildcards
    the operator adds) and not a different text of the same length."""
    comparison = only_comparison(sync_soql.filter_clause(field_name="Name", operator=operator, values=[value],
                                                         fields=FIELDS))  # fmt: skip
    assert comparison.op == "LIKE"
    assert like_matches(comparison.value, value)
    assert like_matches(comparison.value, f"{value}tail")
    if "%" in value or "_" in value:
        assert not like_matches(comparison.value, value.replace("%", "x").replace("_", "y"))


@EXAMPLES
@given(since=st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2999, 1, 1),
                          timezones=st.just(dt.UTC)))  # fmt: skip
def test_sync_lookback_and_windows_are_one_datetime_comparison(since):
    comparison = only_comparison(sync_soql.lookback_clause(field_name="CreatedDate", since=since, fields=FIELDS))
    assert comparison.value.kind == "datetime"
    query = sync_soql.ObjectQuery("Account", ["Id", "Name"])
    assert len(comparisons(parse(query.window(since)).where)) == 1
    page = parse(query.full_rest_page(since, "001000000000001AAA", 200))
    assert len(comparisons(page.where)) == 3


@pytest.mark.parametrize("name", ["Name OR Id", "Name--", "Name'", "Na me", "Name)", "", "1Name", "Name\n"])
def test_sync_field_names_outside_the_describe_are_refused(name):
    with pytest.raises(sync_soql.SoqlBuildError):
        sync_soql.filter_clause(field_name=name, operator=FilterOperator.EQUALS, values=["x"], fields=FIELDS)


# -- actions: query_records and the quote of execute.py ----------------------------------------------------------


def _filter(field, op, value):
    return SimpleNamespace(field=field, op=op, value=value)


def _action_query(filters) -> str:
    return action_soql.build(describe=DESCRIBE, sobject="Account", fields=["Id", "Name"], filters=filters,
                             order_by=[], limit=10)  # fmt: skip


def _acceptable(value: str) -> bool:
    return len(value) <= 4000  # query_records refuses longer values (and NUL) with a 400: data, never SOQL


@EXAMPLES
@given(value=text_or_payload, op=st.sampled_from(["=", "!=", "<", ">=", "like"]))
def test_query_records_values_are_data(value, op):
    if not _acceptable(value):
        return
    comparison = only_comparison(_action_query([_filter("Name", op, value)]).split(" WHERE ", 1)[1].rsplit(
        " LIMIT ", 1)[0])  # fmt: skip
    if op == "like":
        assert like_matches(comparison.value, value)  # % and _ stay wildcards by design; the rest is literal
    else:
        assert string_value(comparison.value) == value


@EXAMPLES
@given(values=st.lists(text_or_payload, min_size=1, max_size=5))
def test_query_records_in_lists_are_data(values):
    where = _action_query([_filter("Name", "in", values)]).split(" WHERE ", 1)[1].rsplit(" LIMIT ", 1)[0]
    assert [string_value(v) for v in only_comparison(where).value] == values


@EXAMPLES
@given(value=text_or_payload)
def test_the_actions_quote_is_one_string_literal(value):
    assert string_value(only_comparison(f"Name = {action_soql.quote(value)}").value) == value


@pytest.mark.parametrize("name", ["Name OR Id != null", "Name--", "Name'", "Account.Name", "Name)"])
def test_query_records_names_outside_the_describe_are_refused(name):
    with pytest.raises(action_soql.Refusal):
        action_soql.build(describe=DESCRIBE, sobject="Account", fields=[name], filters=[], order_by=[], limit=1)
    with pytest.raises(action_soql.Refusal):
        _action_query([_filter(name, "=", "x")])


# -- the writeback's prospect matching lookups --------------------------------------------------------------------


def _lookup_queries(monkeypatch, prospects: list[Prospect]) -> list[str]:
    sent: list[str] = []

    def capture(ctx, queries):
        sent.extend(soql for _key, soql in queries)
        return {}

    monkeypatch.setattr(lookups, "_run_queries", capture)
    settings_row = SimpleNamespace(linkedin_url_field_contact="LinkedIn__c")  # every match_* rule on by default
    contact = {"fields": [{"name": "LinkedIn__c", "type": "url"}]}
    ctx = SimpleNamespace(settings=settings_row, describe=lambda sobject: contact if sobject == "Contact" else None,
                          client=SimpleNamespace(api_version="62.0"))  # fmt: skip
    lookups._lookup_chunk(ctx, prospects)
    return sent


names = st.text(alphabet=st.sampled_from("ab'\"\\%_ ()\n=OR"), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=names, last=names, company=text_or_payload.filter(lambda c: c.strip()), local=names)
def test_matching_lookups_quote_names_emails_and_companies(monkeypatch, first, last, company, local):
    email = f"{local}@globex.example"
    prospect = Prospect(email=email, first_name=first, last_name=last, company_name=company,
                        linkedin_url="https://www.linkedin.com/in/o'hara")  # fmt: skip
    queries = _lookup_queries(monkeypatch, [prospect])
    assert len(queries) == 3  # Contacts, Leads, Accounts
    found: dict[str, set[str]] = {}
    for soql in queries:
        query = parse(soql)
        for comparison in comparisons(query.where):
            field = ".".join(comparison.field.parts)
            values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
            found.setdefault(field, set()).update(v.value for v in values)
        assert query.sobject in ("Contact", "Lead", "Account")
    assert found["Email"] == {email.lower()}
    assert found["Name"] == {prospect.full_name, company}
    assert "https://www.linkedin.com/in/o'hara" in found["LinkedIn__c"]
    assert found["IsConverted"] == {False}
