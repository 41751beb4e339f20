"""Plan outputs: columns, ORDER BY, window, REST projection, Bulk CSV, counts, schema errors."""

from __future__ import annotations

import pytest

from sandbox.soql import (
    InvalidField,
    InvalidType,
    MalformedQuery,
    NumberOutsideValidRange,
    compile_query,
    parse,
)
from sandbox.soql.testing import StaticSchema

from .data import ACCOUNT_ID, CONTACT_IDS, CONTACTS, NOW, SCHEMA


def plan_for(soql: str):
    return compile_query(soql, SCHEMA, now=NOW)


# --- metadata ---------------------------------------------------------------------------------


def test_columns_paths_and_lookups_use_canonical_names() -> None:
    plan = plan_for(
        "SELECT id, EMAIL, account.name, owner.email FROM contact WHERE Account.Type = 'Customer' ORDER BY Owner.Name"
    )
    assert plan.sobject == "Contact"
    assert plan.columns == ["Id", "Email", "Account.Name", "Owner.Email"]
    assert plan.field_paths == [("Id",), ("Email",), ("Account", "Name"), ("Owner", "Email")]
    assert plan.parent_lookups == {"Account": ("Account", "AccountId"), "Owner": ("User", "OwnerId")}
    assert plan.csv_header() == ["Id", "Email", "Account.Name", "Owner.Email"]
    assert (plan.is_count, plan.is_aggregate, plan.limit, plan.offset) == (False, False, None, 0)


def test_relationships_used_only_in_where_or_order_are_listed() -> None:
    plan = plan_for("SELECT Id FROM Contact WHERE Account.Name = 'x' ORDER BY Owner.Name")
    assert set(plan.parent_lookups) == {"Account", "Owner"}


def test_object_name_prefix_is_accepted() -> None:
    assert plan_for("SELECT Contact.Email FROM Contact").columns == ["Email"]


def test_compile_accepts_a_parsed_query() -> None:
    assert compile_query(parse("SELECT Id FROM Lead"), SCHEMA).sobject == "Lead"


def test_polymorphic_relationship_resolved_by_the_schema() -> None:
    plan = plan_for("SELECT Id, Who.Email FROM Task")
    assert plan.parent_lookups == {"Who": ("Contact", "WhoId")}


def test_custom_relationship_name_is_derived_from_the_foreign_key() -> None:
    schema = StaticSchema(
        {"Job__c": {"Id": "id", "Site__c": "reference"}, "Site__c": {"Id": "id", "Name": "string"}},
        {("Job__c", "Site__r"): ("Site__c", "Site__c")},
    )
    plan = compile_query("SELECT site__R.name FROM job__c", schema)
    assert plan.columns == ["Site__r.Name"]
    assert plan.parent_lookups == {"Site__r": ("Site__c", "Site__c")}


# --- schema errors ----------------------------------------------------------------------------


def test_unknown_object() -> None:
    with pytest.raises(InvalidType) as exc:
        plan_for("SELECT Id FROM Foo__c")
    assert exc.value.error_code == "INVALID_TYPE"
    assert "sObject type 'Foo__c' is not supported." in exc.value.message


def test_unknown_field_message_matches_salesforce() -> None:
    with pytest.raises(InvalidField) as exc:
        plan_for("SELECT Id, Foo FROM Contact")
    assert exc.value.error_code == "INVALID_FIELD"
    assert exc.value.message.startswith(
        "\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field"
    )


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Account.Nope FROM Contact",
        "SELECT Nope.Name FROM Contact",
        "SELECT Account FROM Contact",  # a relationship is not a column
        "SELECT Id FROM Contact ORDER BY Nope",
        "SELECT Id FROM Contact ORDER BY Bio__c",  # not sortable
        "SELECT COUNT(Nope) FROM Contact",
    ],
)
def test_invalid_fields(soql: str) -> None:
    with pytest.raises(InvalidField):
        plan_for(soql)


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id, id FROM Contact",
        "SELECT Account.Name, account.NAME FROM Contact",
        "SELECT Account.Owner.Manager.Manager.Manager.Manager.Name FROM Contact",  # deeper than five levels
        "SELECT COUNT(), Id FROM Contact",
        "SELECT COUNT(Id), Email FROM Contact",
        "SELECT COUNT() FROM Contact ORDER BY Email",
    ],
)
def test_rejected_select_lists(soql: str) -> None:
    with pytest.raises(MalformedQuery):
        plan_for(soql)


def test_offset_cap() -> None:
    assert plan_for("SELECT Id FROM Contact LIMIT 5 OFFSET 2000").offset == 2000
    with pytest.raises(NumberOutsideValidRange) as exc:
        plan_for("SELECT Id FROM Contact OFFSET 2001")
    assert exc.value.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert isinstance(exc.value, MalformedQuery)


# --- ORDER BY, LIMIT, OFFSET ------------------------------------------------------------------


def test_order_by_text_is_case_insensitive_and_stable(run) -> None:
    # bob "Smith" and dan "smith" tie; input order is kept.
    assert run("SELECT Id FROM Contact ORDER BY LastName") == ["ann", "bob", "dan", "cat"]
    assert run("SELECT Id FROM Contact ORDER BY LastName DESC") == ["cat", "bob", "dan", "ann"]


def test_order_by_default_null_placement(run) -> None:
    assert run("SELECT Id FROM Contact ORDER BY FirstName") == ["cat", "ann", "bob", "dan"]
    assert run("SELECT Id FROM Contact ORDER BY FirstName ASC") == ["cat", "ann", "bob", "dan"]
    assert run("SELECT Id FROM Contact ORDER BY FirstName DESC") == ["dan", "bob", "ann", "cat"]


def test_order_by_explicit_null_placement(run) -> None:
    assert run("SELECT Id FROM Contact ORDER BY FirstName NULLS LAST") == ["ann", "bob", "dan", "cat"]
    assert run("SELECT Id FROM Contact ORDER BY FirstName DESC NULLS FIRST") == ["cat", "dan", "bob", "ann"]


def test_order_by_multiple_keys_and_types(run) -> None:
    assert run("SELECT Id FROM Contact ORDER BY LastName DESC, FirstName DESC") == ["cat", "dan", "bob", "ann"]
    assert run("SELECT Id FROM Contact ORDER BY HasOptedOutOfEmail DESC, Score__c") == ["bob", "cat", "dan", "ann"]
    assert run("SELECT Id FROM Contact ORDER BY CreatedDate DESC") == ["ann", "bob", "cat", "dan"]
    assert run("SELECT Id FROM Contact ORDER BY Birthdate") == ["cat", "bob", "ann", "dan"]


def test_order_by_parent_field(run) -> None:
    # Acme < globex (case-insensitive); cat has no account -> null first in ASC.
    assert run("SELECT Id FROM Contact ORDER BY Account.Name, Id DESC") == ["cat", "dan", "ann", "bob"]


def test_sort_key_agrees_with_sort() -> None:
    for order in ["FirstName", "FirstName DESC", "LastName DESC, FirstName", "Account.Name NULLS LAST, Score__c DESC"]:
        plan = plan_for(f"SELECT Id FROM Contact ORDER BY {order}")
        by_sort = [row["key"] for row, _ in plan.sort(CONTACTS)]
        by_key = [row["key"] for row, _ in sorted(CONTACTS, key=lambda pair, p=plan: p.sort_key(*pair))]
        assert by_sort == by_key, order


def test_without_order_by_input_order_is_kept(run) -> None:
    assert run("SELECT Id FROM Contact") == ["ann", "bob", "cat", "dan"]


def test_limit_and_offset(run) -> None:
    assert run("SELECT Id FROM Contact ORDER BY LastName LIMIT 2") == ["ann", "bob"]
    assert run("SELECT Id FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1") == ["bob", "dan"]
    assert run("SELECT Id FROM Contact ORDER BY LastName OFFSET 3") == ["cat"]
    assert run("SELECT Id FROM Contact LIMIT 0") == []
    assert run("SELECT Id FROM Contact OFFSET 10") == []


# --- REST projection --------------------------------------------------------------------------


def test_project_shape_and_key_order() -> None:
    plan = compile_query("SELECT Email, Account.Name, Id, account.type FROM Contact", SCHEMA, api_version="v59.0")
    row, parents = CONTACTS[0]
    record = plan.project(row, parents)
    assert record == {
        "attributes": {"type": "Contact", "url": f"/services/data/v59.0/sobjects/Contact/{CONTACT_IDS[0]}"},
        "Email": "Ann@Example.com",
        "Account": {
            "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{ACCOUNT_ID}"},
            "Name": "Acme",
            "Type": "Customer",
        },
        "Id": CONTACT_IDS[0],
    }
    assert list(record) == ["attributes", "Email", "Account", "Id"]


def test_project_missing_parent_and_null_fields() -> None:
    plan = plan_for("SELECT Id, FirstName, Birthdate, Account.Name FROM Contact")
    row, parents = CONTACTS[2]
    assert plan.project(row, parents) == {
        "attributes": {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/{CONTACT_IDS[2]}"},
        "Id": CONTACT_IDS[2],
        "FirstName": None,
        "Birthdate": None,
        "Account": None,
    }


def test_project_keeps_stored_value_types() -> None:
    plan = plan_for("SELECT HasOptedOutOfEmail, Score__c, CreatedDate, Account.AnnualRevenue FROM Contact")
    row, parents = CONTACTS[1]
    record = plan.project(row, parents)
    assert record["HasOptedOutOfEmail"] is True
    assert record["Score__c"] == 3
    assert record["CreatedDate"] == "2024-05-08T23:59:59.000+0000"
    assert record["Account"]["AnnualRevenue"] is None


# --- Bulk CSV ---------------------------------------------------------------------------------


def test_csv_values() -> None:
    plan = plan_for(
        "SELECT Id, FirstName, HasOptedOutOfEmail, Score__c, CreatedDate, Birthdate, "
        "Account.Name, Account.AnnualRevenue FROM Contact"
    )
    ann, bob, cat = (plan.csv_values(row, parents) for row, parents in CONTACTS[:3])
    assert ann == [
        CONTACT_IDS[0],
        "Ann",
        "false",
        "10.5",
        "2024-05-15T09:00:00.000Z",
        "1990-01-31",
        "Acme",
        "5000.0",
    ]
    assert bob[2] == "true"
    assert bob[-1] == ""  # parent present, value null
    assert cat == [CONTACT_IDS[2], "", "false", "", "2024-04-30T12:00:00.000Z", "", "", ""]


def test_csv_values_text_passthrough() -> None:
    plan = plan_for("SELECT LastName FROM Contact")
    assert plan.csv_values({"LastName": 'He said "hi", then left'}, {}) == ['He said "hi", then left']
    assert plan.csv_values({}, {}) == [""]


# --- counts and Bulk validation ---------------------------------------------------------------


def test_count_query() -> None:
    plan = plan_for("SELECT COUNT() FROM Contact WHERE LastName = 'smith'")
    assert plan.is_count and not plan.is_aggregate
    assert plan.columns == [] and plan.field_paths == []
    assert sum(1 for row, parents in CONTACTS if plan.matches(row, parents)) == 2


def test_count_field_aggregate() -> None:
    plan = plan_for("SELECT COUNT(Email) FROM Contact")
    assert plan.is_aggregate and plan.columns == ["expr0"]
    assert plan.aggregate(CONTACTS) == [{"attributes": {"type": "AggregateResult"}, "expr0": 3}]
    plan = plan_for("SELECT COUNT(Id) total, COUNT(Account.Name) withAccount FROM Contact")
    assert plan.aggregate(CONTACTS) == [{"attributes": {"type": "AggregateResult"}, "total": 4, "withAccount": 3}]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT COUNT() FROM Contact",
        "SELECT COUNT(Id) FROM Contact",
        "SELECT Id FROM Contact LIMIT 10 OFFSET 0",
    ],
)
def test_bulk_rejects(soql: str) -> None:
    with pytest.raises(MalformedQuery):
        plan_for(soql).validate_for_bulk()


def test_bulk_accepts_parent_paths_order_and_limit() -> None:
    plan_for("SELECT Id, Account.Name FROM Contact WHERE Email != null ORDER BY Id LIMIT 10").validate_for_bulk()
