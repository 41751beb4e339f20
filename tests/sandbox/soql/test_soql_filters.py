"""WHERE semantics against the CONTACTS fixture (ann, bob, cat, dan; see conftest)."""

from __future__ import annotations

import pytest

from sandbox.soql import InvalidField, InvalidQueryFilterOperator, MalformedQuery, compile_query

from .data import ACCOUNT_ID, CONTACT_IDS, NOW, SCHEMA

ALL = ["ann", "bob", "cat", "dan"]


def where(run, clause: str) -> list[str]:
    return run(f"SELECT Id FROM Contact WHERE {clause}")


# --- text -------------------------------------------------------------------------------------


def test_text_equality_is_case_insensitive(run) -> None:
    assert where(run, "FirstName = 'BOB'") == ["bob"]
    assert where(run, "email = 'ann@example.COM'") == ["ann"]
    assert where(run, "LastName = 'smith'") == ["bob", "dan"]


def test_not_equal_keeps_nulls(run) -> None:
    # SOQL, unlike SQL, treats null as a value: "!= 'x'" includes rows where the field is null.
    assert where(run, "FirstName != 'bob'") == ["ann", "cat", "dan"]
    assert where(run, "FirstName <> 'bob'") == ["ann", "cat", "dan"]


def test_null_comparisons(run) -> None:
    assert where(run, "Email = null") == ["cat"]
    assert where(run, "Email != null") == ["ann", "bob", "dan"]
    assert where(run, "Birthdate = null") == ["cat"]  # key absent counts as null
    assert where(run, "FirstName = ''") == ["cat"]  # '' means null in SOQL


def test_text_ordering_is_case_insensitive(run) -> None:
    assert where(run, "LastName > 'S'") == ["bob", "cat", "dan"]
    assert where(run, "LastName <= 'smith'") == ["ann", "bob", "dan"]
    assert where(run, "FirstName < 'B'") == ["ann"]  # null never satisfies an ordering operator


def test_escaped_quote_in_literal(run) -> None:
    assert where(run, r"LastName = 'o\'neil'") == ["ann"]


def test_in_and_not_in(run) -> None:
    assert where(run, "FirstName IN ('ANN', 'dan', 'nobody')") == ["ann", "dan"]
    assert where(run, "FirstName NOT IN ('ann', 'dan')") == ["bob", "cat"]
    assert where(run, "FirstName IN ('bob', null)") == ["bob", "cat"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("'%@example.com'", ["ann", "dan"]),
        ("'ANN%'", ["ann"]),
        ("'%example%'", ["ann", "bob", "dan"]),
        ("'b_b%'", ["bob"]),
        ("'bob\\_%'", ["bob"]),  # escaped underscore is literal
        ("'bob_smith@example.org'", ["bob"]),
        ("'%\\%%'", ["dan"]),  # escaped percent is literal
        ("'dan\\%1__@%'", ["dan"]),
        ("'%.com'", ["ann", "dan"]),  # regex metacharacters are literal
        ("'a'", []),
    ],
)
def test_like(run, pattern: str, expected: list[str]) -> None:
    assert where(run, f"Email LIKE {pattern}") == expected


def test_not_like(run) -> None:
    assert where(run, "NOT Email LIKE '%.com'") == ["bob", "cat"]


# --- booleans, numbers ------------------------------------------------------------------------


def test_booleans(run) -> None:
    assert where(run, "HasOptedOutOfEmail = true") == ["bob"]
    assert where(run, "HasOptedOutOfEmail = FALSE") == ["ann", "cat", "dan"]
    assert where(run, "HasOptedOutOfEmail != true") == ["ann", "cat", "dan"]


def test_numbers(run) -> None:
    assert where(run, "Score__c > 3") == ["ann"]
    assert where(run, "Score__c >= 3") == ["ann", "bob"]
    assert where(run, "Score__c < 0") == ["dan"]
    assert where(run, "Score__c = 10.5") == ["ann"]
    assert where(run, "Score__c = 3.0") == ["bob"]
    assert where(run, "Score__c IN (3, -2)") == ["bob", "dan"]
    assert where(run, "Score__c = null") == ["cat"]


# --- ids --------------------------------------------------------------------------------------


def test_id_accepts_15_and_18_char_forms(run) -> None:
    assert where(run, f"Id = '{CONTACT_IDS[1]}'") == ["bob"]
    assert where(run, f"Id = '{CONTACT_IDS[1][:15]}'") == ["bob"]
    assert where(run, f"AccountId = '{ACCOUNT_ID[:15]}'") == ["ann", "dan"]
    # An 18-char id is case-insensitive: the suffix restores the case.
    assert where(run, f"AccountId = '{ACCOUNT_ID.lower()}'") == ["ann", "dan"]
    assert where(run, f"Id IN ('{CONTACT_IDS[0]}', '{CONTACT_IDS[3][:15]}')") == ["ann", "dan"]
    assert where(run, "AccountId = null") == ["cat"]


def test_id_ordering_for_chunked_scans(run) -> None:
    assert where(run, f"Id > '{CONTACT_IDS[1]}'") == ["cat", "dan"]


@pytest.mark.parametrize("value", ["'abc'", "'003000000000001AA'", "'003000000000001A!A'"])
def test_malformed_id_literal(value: str) -> None:
    with pytest.raises(InvalidQueryFilterOperator) as exc:
        compile_query(f"SELECT Id FROM Contact WHERE Id = {value}", SCHEMA)
    assert exc.value.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert "invalid ID field" in exc.value.message


# --- dates and datetimes (NOW = Wed 2024-05-15 10:30Z) ----------------------------------------


def test_datetime_literals(run) -> None:
    assert where(run, "CreatedDate >= 2024-05-08T00:00:00Z") == ["ann", "bob"]
    assert where(run, "CreatedDate > 2024-05-08T23:59:59Z") == ["ann"]
    assert where(run, "CreatedDate = 2024-05-08T23:59:59.000Z") == ["bob"]
    # Offsets are normalised to UTC: 09:00Z written as 11:00+02:00.
    assert where(run, "CreatedDate = 2024-05-15T11:00:00+02:00") == ["ann"]
    # dan's stored value is 2023-12-31T23:00-01:00 = 2024-01-01T00:00Z.
    assert where(run, "CreatedDate = 2024-01-01T00:00:00Z") == ["dan"]
    assert where(run, "CreatedDate < 2024-05-01T00:00:00Z") == ["cat", "dan"]


def test_date_literals_on_date_field(run) -> None:
    assert where(run, "Birthdate > 1989-12-31") == ["ann", "dan"]
    assert where(run, "Birthdate = 2000-02-29") == ["dan"]
    assert where(run, "Birthdate IN (1985-07-04, 2000-02-29)") == ["bob", "dan"]


def test_relative_date_literals_on_datetime_field(run) -> None:
    assert where(run, "CreatedDate = TODAY") == ["ann"]
    assert where(run, "CreatedDate = LAST_N_DAYS:7") == ["ann", "bob"]  # 2024-05-08 00:00Z onwards
    assert where(run, "CreatedDate = LAST_N_DAYS:6") == ["ann"]
    assert where(run, "CreatedDate = THIS_MONTH") == ["ann", "bob"]
    assert where(run, "CreatedDate = LAST_MONTH") == ["cat"]
    assert where(run, "CreatedDate = THIS_YEAR") == ["ann", "bob", "cat", "dan"]
    assert where(run, "CreatedDate = LAST_YEAR") == []
    assert where(run, "CreatedDate = N_DAYS_AGO:7") == ["bob"]
    assert where(run, "CreatedDate = THIS_WEEK") == ["ann"]  # week of Sun 2024-05-12
    assert where(run, "CreatedDate = LAST_WEEK") == ["bob"]
    assert where(run, "CreatedDate = LAST_N_MONTHS:4") == ["cat", "dan"]


def test_relative_literals_compare_against_range_edges(run) -> None:
    # ">" means after the range ends, "<" before it starts, as Salesforce documents.
    assert where(run, "CreatedDate > LAST_MONTH") == ["ann", "bob"]
    assert where(run, "CreatedDate < THIS_MONTH") == ["cat", "dan"]
    assert where(run, "CreatedDate >= THIS_MONTH") == ["ann", "bob"]
    assert where(run, "CreatedDate <= LAST_MONTH") == ["cat", "dan"]
    assert where(run, "CreatedDate != TODAY") == ["bob", "cat", "dan"]
    assert where(run, "CreatedDate > YESTERDAY") == ["ann"]
    assert where(run, "CreatedDate < TOMORROW") == ["ann", "bob", "cat", "dan"]
    assert where(run, "CreatedDate = NEXT_N_DAYS:30") == []


def test_relative_literals_on_date_field(run) -> None:
    assert where(run, "Birthdate < LAST_N_YEARS:36") == ["bob"]  # before 1988-01-01
    assert where(run, "Birthdate = N_YEARS_AGO:24") == ["dan"]


# --- parents, logic ---------------------------------------------------------------------------


def test_parent_fields_in_where(run) -> None:
    assert where(run, "Account.Type = 'customer'") == ["ann", "dan"]
    assert where(run, "Account.Name LIKE 'GLOB%'") == ["bob"]
    assert where(run, "Account.Name = null") == ["cat"]  # no parent behaves as null
    assert where(run, "Account.AnnualRevenue = null") == ["bob", "cat"]
    assert where(run, "Account.Name != 'Acme'") == ["bob", "cat"]


def test_and_or_not_nesting(run) -> None:
    assert where(run, "LastName = 'smith' AND FirstName = 'dan'") == ["dan"]
    assert where(run, "FirstName = 'ann' OR FirstName = 'dan' OR Email = null") == ["ann", "cat", "dan"]
    assert where(run, "(FirstName = 'ann' OR LastName = 'smith') AND HasOptedOutOfEmail = false") == ["ann", "dan"]
    assert where(run, "FirstName = 'cat' OR (LastName = 'smith' AND Score__c > 0)") == ["bob"]
    assert where(run, "NOT (LastName = 'smith' OR Email = null)") == ["ann"]
    assert where(run, "Email != null AND (NOT Account.Type = 'Customer')") == ["bob"]
    assert where(run, "((((FirstName = 'ann'))))") == ["ann"]


def test_multipicklist(run) -> None:
    assert where(run, "Interests__c = 'chess;golf'") == ["ann"]  # set equality, any order
    assert where(run, "Interests__c INCLUDES ('Golf')") == ["ann"]
    assert where(run, "Interests__c INCLUDES ('chess')") == ["ann", "bob"]
    assert where(run, "Interests__c INCLUDES ('golf;chess', 'none')") == ["ann"]
    assert where(run, "Interests__c EXCLUDES ('golf')") == ["bob", "cat", "dan"]


def test_no_where_matches_everything(run) -> None:
    assert run("SELECT Id FROM Contact") == ALL


# --- type checking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        (
            "CreatedDate > '2024-01-01T00:00:00Z'",
            "value of filter criterion for field 'CreatedDate' must be of type dateTime "
            "and should not be enclosed in quotes",
        ),
        ("CreatedDate > 2024-01-01", "must be of type dateTime"),
        ("Birthdate = 2024-01-01T00:00:00Z", "must be of type date and"),
        ("HasOptedOutOfEmail = 1", "must be of type boolean and should not be enclosed in quotes"),
        ("HasOptedOutOfEmail = 'true'", "must be of type boolean"),
        ("Score__c = '5'", "must be of type double and should not be enclosed in quotes"),
        ("Account.NumberOfEmployees = 'x'", "field 'Account.NumberOfEmployees' must be of type integer"),
        ("LastName = 5", "must be of type string and should be enclosed in quotes"),
        ("LastName = TODAY", "must be of type string"),
        ("Id = 5", "must be of type id and should be enclosed in quotes"),
        ("Email LIKE 5", "must be of type string"),
    ],
)
def test_type_mismatch(clause: str, message: str) -> None:
    with pytest.raises(MalformedQuery) as exc:
        compile_query(f"SELECT Id FROM Contact WHERE {clause}", SCHEMA, now=NOW)
    assert exc.value.error_code == "MALFORMED_QUERY"
    assert message in exc.value.message


@pytest.mark.parametrize(
    "clause",
    [
        "Score__c LIKE '1%'",
        "CreatedDate LIKE '2024%'",
        "HasOptedOutOfEmail LIKE 'true'",
        "Id LIKE '003%'",
        "HasOptedOutOfEmail > false",
        "LastName INCLUDES ('a')",
        "Interests__c LIKE 'Golf%'",
        "Email > null",
        "Email LIKE null",
        "Wake__c = '10:00:00'",
    ],
)
def test_operator_not_valid_for_field(clause: str) -> None:
    with pytest.raises(MalformedQuery):
        compile_query(f"SELECT Id FROM Contact WHERE {clause}", SCHEMA, now=NOW)


def test_unknown_and_unfilterable_fields() -> None:
    with pytest.raises(InvalidField):
        compile_query("SELECT Id FROM Contact WHERE Nope__c = 'x'", SCHEMA)
    with pytest.raises(InvalidField) as exc:
        compile_query("SELECT Id FROM Contact WHERE Bio__c = 'x'", SCHEMA)
    assert "can not be filtered" in exc.value.message
    with pytest.raises(InvalidField) as exc:
        compile_query("SELECT Id FROM Contact WHERE Nope.Name = 'x'", SCHEMA)
    assert "Didn't understand relationship 'Nope'" in exc.value.message


def test_stored_values_of_the_wrong_type_do_not_crash(run) -> None:
    odd = [({"key": "odd", "LastName": 7, "Score__c": "12", "CreatedDate": "garbage", "Birthdate": 3}, {})]
    assert where_pairs(run, "LastName = '7'", odd) == ["odd"]
    assert where_pairs(run, "Score__c > 11", odd) == ["odd"]
    assert where_pairs(run, "CreatedDate > 2000-01-01T00:00:00Z", odd) == []
    assert where_pairs(run, "Birthdate > 2000-01-01", odd) == []
    assert where_pairs(run, "Account.Name = null", odd) == ["odd"]  # parents dict without the key


def where_pairs(run, clause: str, pairs: list) -> list[str]:
    return run(f"SELECT Id FROM Contact WHERE {clause}", pairs)
