"""SOQL second pass, over real HTTP against the sandbox: datetime offsets, parent paths, semi-joins,
child subqueries, aggregates and column metadata."""

from __future__ import annotations

import csv
import io
import time

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


# --- parent paths -----------------------------------------------------------------------------


def test_two_level_parent_path_nests_one_object_per_relationship(api) -> None:
    acme = api.create("Account", Name="Acme")
    api.create("Contact", LastName="Ann", AccountId=acme)
    api.create("Contact", LastName="Orphan")
    page = api.query("SELECT LastName, Account.Name, Account.Owner.Name FROM Contact ORDER BY LastName")
    assert page.status_code == 200, page.text
    ann, orphan = page.json()["records"]
    owner_id = api.get(f"sobjects/Account/{acme}").json()["OwnerId"]
    owner = api.query(f"SELECT Id, Name FROM User WHERE Id = '{owner_id}'").json()["records"][0]
    assert ann["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{acme}"},
        "Name": "Acme",
        "Owner": {
            "attributes": {"type": "User", "url": f"/services/data/v62.0/sobjects/User/{owner['Id']}"},
            "Name": owner["Name"],
        },
    }
    assert list(ann) == ["attributes", "LastName", "Account"]
    assert orphan["Account"] is None


def test_parent_path_from_a_child_object_with_a_null_grandparent(api) -> None:
    holding = api.create("Account", Name="Holding")
    sub = api.create("Account", Name="Sub", ParentId=holding)
    lone = api.create("Account", Name="Lone")
    with_parent = api.create("Contact", LastName="A", AccountId=sub)
    without = api.create("Contact", LastName="B", AccountId=lone)
    for contact, name in ((with_parent, "Deal A"), (without, "Deal B")):
        api.create("Opportunity", Name=name, StageName="Prospecting", CloseDate="2030-01-01", ContactId=contact)
    page = api.query("SELECT Name, Contact.Account.Parent.Name FROM Opportunity ORDER BY Name").json()
    a, b = page["records"]
    assert a["Contact"]["Account"]["Parent"]["Name"] == "Holding"
    assert a["Contact"]["Account"]["Parent"]["attributes"]["type"] == "Account"
    assert a["Contact"]["attributes"]["type"] == "Contact"
    # The chain stops at the first missing parent: Contact and Account exist, Parent is null.
    assert b["Contact"]["Account"]["Parent"] is None
    assert set(b["Contact"]["Account"]) == {"attributes", "Parent"}
    filtered = api.query("SELECT Name FROM Opportunity WHERE Contact.Account.Parent.Name = 'holding'").json()
    assert [r["Name"] for r in filtered["records"]] == ["Deal A"]
    ordered = api.query("SELECT Name FROM Opportunity ORDER BY Contact.Account.Parent.Name DESC NULLS LAST").json()
    assert [r["Name"] for r in ordered["records"]] == ["Deal A", "Deal B"]


def test_five_levels_is_the_limit(api) -> None:
    parent = None
    for level in range(6):
        parent = api.create("Account", Name=f"L{level}", **({"ParentId": parent} if parent else {}))
    api.create("Contact", LastName="Deep", AccountId=parent)
    five = api.query("SELECT Account.Parent.Parent.Parent.Parent.Name FROM Contact")
    assert five.status_code == 200, five.text
    record = five.json()["records"][0]
    assert record["Account"]["Parent"]["Parent"]["Parent"]["Parent"]["Name"] == "L1"
    six = api.query("SELECT Account.Parent.Parent.Parent.Parent.Parent.Name FROM Contact")
    assert six.status_code == 400 and six.json()[0]["errorCode"] == "MALFORMED_QUERY"
    unknown = api.query("SELECT Account.Nope.Name FROM Contact")
    assert unknown.status_code == 400 and unknown.json()[0]["errorCode"] == "INVALID_FIELD"


# --- semi-joins and anti-joins ----------------------------------------------------------------


def test_semi_join_and_anti_join(api) -> None:
    acme = api.create("Account", Name="Acme")
    globex = api.create("Account", Name="Globex")
    empty = api.create("Account", Name="Empty")
    api.create("Contact", LastName="A", AccountId=acme, Email="a@acme.test")
    api.create("Contact", LastName="G", AccountId=globex, Email="g@globex.test")
    api.create("Contact", LastName="Nobody")  # a null AccountId is not an account with contacts
    with_contacts = api.query("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)")
    assert with_contacts.status_code == 200, with_contacts.text
    assert ids(with_contacts.json()) == {acme, globex}
    acme_only = api.query(
        "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE '%@acme.test')"
    ).json()
    assert [r["Name"] for r in acme_only["records"]] == ["Acme"]
    without = api.query("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)").json()
    assert ids(without) == {empty}
    combined = api.query(
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) "
        "AND Id NOT IN (SELECT AccountId FROM Contact WHERE LastName = 'G')"
    ).json()
    assert ids(combined) == {acme}


def test_semi_join_on_a_reference_field_and_through_a_parent(api) -> None:
    acme = api.create("Account", Name="Acme", Industry="Energy")
    other = api.create("Account", Name="Other", Industry="Retail")
    a = api.create("Contact", LastName="A", AccountId=acme)
    api.create("Contact", LastName="O", AccountId=other)
    page = api.query(
        "SELECT LastName FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Industry = 'Energy')"
    ).json()
    assert [r["LastName"] for r in page["records"]] == ["A"]
    api.create("Task", Subject="Call", WhoId=a)
    called = api.query("SELECT LastName FROM Contact WHERE Id IN (SELECT WhoId FROM Task WHERE Subject = 'Call')")
    assert [r["LastName"] for r in called.json()["records"]] == ["A"]


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)",
        "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)",
        "SELECT Id FROM Account WHERE Id IN (SELECT Id, AccountId FROM Contact)",
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT WhoId FROM Task))",
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN (SELECT AccountId FROM Case) "
        "AND Id IN (SELECT AccountId FROM Opportunity)",
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact",
        "SELECT Id FROM Account WHERE Id IN (SELECT Who.AccountId FROM Task)",  # no dot paths in the sub-select
        "SELECT Id FROM Account WHERE ParentId IN (SELECT Id FROM Account)",  # not the outer object
        "SELECT Id FROM Contact WHERE Email INCLUDES (SELECT Id FROM Account)",
    ],
)
def test_malformed_semi_joins(api, soql) -> None:
    resp = api.query(soql)
    assert resp.status_code == 400, soql
    assert resp.json()[0]["errorCode"] == "MALFORMED_QUERY", resp.json()


# --- parent-to-child subqueries ---------------------------------------------------------------


def opportunity(api, account: str, name: str, stage: str = "Prospecting", amount: float | None = None) -> str:
    fields = {"Name": name, "StageName": stage, "CloseDate": "2030-01-01", "AccountId": account}
    if amount is not None:
        fields["Amount"] = amount
    return api.create("Opportunity", **fields)


def test_child_subquery_shape(api) -> None:
    acme = api.create("Account", Name="Acme")
    empty = api.create("Account", Name="Empty")
    won = opportunity(api, acme, "Big", "Closed Won")
    lost = opportunity(api, acme, "Small", "Closed Lost")
    resp = api.query(
        "SELECT Id, Name, (SELECT Id, StageName FROM Opportunities ORDER BY Name) FROM Account ORDER BY Name"
    )
    assert resp.status_code == 200, resp.text
    page = resp.json()
    assert page["totalSize"] == 2 and page["done"] is True
    with_children, without = page["records"]
    assert list(with_children) == ["attributes", "Id", "Name", "Opportunities"]
    assert with_children["Opportunities"] == {
        "totalSize": 2,
        "done": True,
        "records": [
            {
                "attributes": {"type": "Opportunity", "url": f"/services/data/v62.0/sobjects/Opportunity/{won}"},
                "Id": won,
                "StageName": "Closed Won",
            },
            {
                "attributes": {"type": "Opportunity", "url": f"/services/data/v62.0/sobjects/Opportunity/{lost}"},
                "Id": lost,
                "StageName": "Closed Lost",
            },
        ],
    }
    assert without["Id"] == empty and without["Opportunities"] is None


def test_child_subquery_filters_orders_and_limits_per_parent(api) -> None:
    acme = api.create("Account", Name="Acme")
    globex = api.create("Account", Name="Globex")
    for name in ("A3", "A1", "A2"):
        api.create("Contact", LastName=name, AccountId=acme, Email=f"{name}@x.test")
    api.create("Contact", LastName="G1", AccountId=globex)
    page = api.query(
        "SELECT Name, (SELECT LastName, Account.Name FROM Contacts WHERE Email != null ORDER BY LastName DESC LIMIT 2) "
        "FROM Account ORDER BY Name"
    ).json()
    acme_rec, globex_rec = page["records"]
    assert [c["LastName"] for c in acme_rec["Contacts"]["records"]] == ["A3", "A2"]
    assert acme_rec["Contacts"]["totalSize"] == 2
    assert acme_rec["Contacts"]["records"][0]["Account"]["Name"] == "Acme"
    # Globex's only contact has no email: the filter leaves no children, so the key is null.
    assert globex_rec["Contacts"] is None


def test_child_subquery_relationship_names_come_from_describe(api) -> None:
    account = api.create("Account", Name="Acme")
    contact = api.create("Contact", LastName="C", AccountId=account)
    api.create("Task", Subject="Call", WhoId=contact, WhatId=account)
    api.create("Case", Subject="Broken", AccountId=account)
    described = {r["relationshipName"] for r in api.get("sobjects/Account/describe").json()["childRelationships"]}
    assert {"Contacts", "Opportunities", "Cases", "Tasks"} <= described
    page = api.query(
        "SELECT (SELECT Subject FROM tasks), (SELECT Subject FROM Cases), (SELECT Id FROM contacts) FROM Account"
    ).json()
    record = page["records"][0]
    assert list(record) == ["attributes", "Tasks", "Cases", "Contacts"]  # describe's spelling, SELECT order
    assert record["Tasks"]["records"][0]["Subject"] == "Call"
    assert record["Cases"]["records"][0]["Subject"] == "Broken"
    assert record["Contacts"]["records"][0]["Id"] == contact
    unknown = api.query("SELECT Id, (SELECT Id FROM Contactz) FROM Account")
    assert unknown.status_code == 400 and unknown.json()[0]["errorCode"] == "INVALID_TYPE"
    bad_field = api.query("SELECT Id, (SELECT Nope FROM Contacts) FROM Account")
    assert bad_field.status_code == 400 and bad_field.json()[0]["errorCode"] == "INVALID_FIELD"


def test_nested_child_subqueries(api) -> None:
    account = api.create("Account", Name="Acme")
    busy = api.create("Contact", LastName="Busy", AccountId=account)
    api.create("Contact", LastName="Idle", AccountId=account)
    api.create("Task", Subject="Call", WhoId=busy)
    page = api.query(
        "SELECT Name, (SELECT LastName, (SELECT Subject FROM Tasks) FROM Contacts ORDER BY LastName) FROM Account"
    )
    assert page.status_code == 200, page.text
    busy_rec, idle_rec = page.json()["records"][0]["Contacts"]["records"]
    assert busy_rec["Tasks"]["records"][0]["Subject"] == "Call"
    assert busy_rec["Tasks"]["records"][0]["attributes"]["type"] == "Task"
    assert idle_rec["Tasks"] is None


def test_child_subquery_with_semi_join_and_paging(sandbox, sandbox_org, api) -> None:
    rows = [[f"Acct{i:04d}"] for i in range(2100)]
    account_ids = sandbox.control.load_records(sandbox_org.org_id, "Account", fields=["Name"], rows=rows)
    last = account_ids[-1]  # "Acct2099", the last row of the second page
    contact = api.create("Contact", LastName="Late", AccountId=last)
    first = api.query("SELECT Id, (SELECT Id FROM Contacts) FROM Account ORDER BY Name").json()
    assert first["done"] is False and len(first["records"]) == 2000
    assert all(r["Contacts"] is None for r in first["records"])
    second = api.get(first["nextRecordsUrl"]).json()
    assert second["done"] is True and len(second["records"]) == 100
    assert second["records"][-1]["Id"] == last
    assert second["records"][-1]["Contacts"]["records"][0]["Id"] == contact
    joined = api.query(
        "SELECT Id, (SELECT LastName FROM Contacts) FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"
    ).json()
    assert [r["Id"] for r in joined["records"]] == [last]
    assert joined["records"][0]["Contacts"]["records"][0]["LastName"] == "Late"


def test_simple_salesforce_query_all_with_a_subquery(sandbox_org) -> None:
    sf = sandbox_org.simple_salesforce(sandbox_org.admin_user)
    acme = sf.Account.create({"Name": "Acme"})["id"]
    sf.Account.create({"Name": "Empty"})
    sf.Opportunity.create({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2030-01-01", "AccountId": acme})
    result = sf.query_all("SELECT Name, (SELECT Name, StageName FROM Opportunities) FROM Account ORDER BY Name")
    assert result["totalSize"] == 2 and result["done"] is True
    acme_rec, empty_rec = result["records"]
    assert acme_rec["Name"] == "Acme"
    assert acme_rec["Opportunities"]["totalSize"] == 1
    assert acme_rec["Opportunities"]["records"][0]["StageName"] == "Prospecting"
    assert empty_rec["Opportunities"] is None


# --- aggregates -------------------------------------------------------------------------------


@pytest.fixture
def pipeline(api) -> dict[str, str]:
    acme = api.create("Account", Name="Acme")
    globex = api.create("Account", Name="Globex")
    for account, name, stage, amount, close in (
        (acme, "A1", "Prospecting", 100.0, "2030-01-05"),
        (acme, "A2", "Prospecting", 300.0, "2030-01-01"),
        (globex, "G1", "Prospecting", None, "2030-02-01"),
        (globex, "G2", "Closed Won", 1000.0, "2030-03-01"),
    ):
        fields = {"Name": name, "StageName": stage, "CloseDate": close, "AccountId": account}
        if amount is not None:
            fields["Amount"] = amount
        api.create("Opportunity", **fields)
    return {"acme": acme, "globex": globex}


def aggregate(api, soql: str) -> list[dict]:
    resp = api.query(soql)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["done"] is True and body["totalSize"] == len(body["records"])
    for record in body["records"]:
        assert record.pop("attributes") == {"type": "AggregateResult"}
    return body["records"]


def test_group_by_with_every_aggregate_function(api, pipeline) -> None:
    rows = aggregate(
        api,
        "SELECT StageName, COUNT(Id), COUNT(Amount), COUNT_DISTINCT(AccountId), SUM(Amount), AVG(Amount), "
        "MAX(Amount), MIN(CloseDate) FROM Opportunity GROUP BY StageName ORDER BY StageName",
    )
    assert rows == [
        {
            "StageName": "Closed Won",
            "expr0": 1,
            "expr1": 1,
            "expr2": 1,
            "expr3": 1000.0,
            "expr4": 1000.0,
            "expr5": 1000.0,
            "expr6": "2030-03-01",
        },
        {
            "StageName": "Prospecting",
            "expr0": 3,
            "expr1": 2,  # COUNT(field) skips nulls
            "expr2": 2,
            "expr3": 400.0,
            "expr4": 200.0,  # AVG over the non-null amounts
            "expr5": 300.0,
            "expr6": "2030-01-01",
        },
    ]
    assert list(rows[0]) == ["StageName", *(f"expr{i}" for i in range(7))]


def test_aliases_having_and_order_by_an_aggregate(api, pipeline) -> None:
    rows = aggregate(
        api,
        "SELECT StageName stage, COUNT(Id) n, MAX(Amount) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1",
    )
    assert rows == [{"stage": "Prospecting", "n": 3, "expr0": 300.0}]  # expr counts unaliased aggregates only
    top = aggregate(
        api, "SELECT Account.Name, SUM(Amount) total FROM Opportunity GROUP BY Account.Name ORDER BY SUM(Amount) DESC"
    )
    assert top == [{"Name": "Globex", "total": 1000.0}, {"Name": "Acme", "total": 400.0}]  # last path part
    first = aggregate(api, "SELECT AccountId, COUNT(Id) FROM Opportunity GROUP BY AccountId ORDER BY COUNT(Id) LIMIT 1")
    assert len(first) == 1 and first[0]["expr0"] == 2
    named = aggregate(api, "SELECT Account.Name FROM Opportunity GROUP BY Account.Name HAVING Account.Name LIKE 'g%'")
    assert named == [{"Name": "Globex"}]


def test_aggregates_without_group_by_answer_one_row(api, pipeline) -> None:
    assert aggregate(api, "SELECT COUNT(Id) total, SUM(Amount), MIN(Amount) FROM Opportunity") == [
        {"total": 4, "expr0": 1400.0, "expr1": 100.0}
    ]
    none = aggregate(api, "SELECT COUNT(Id), MAX(Amount) FROM Opportunity WHERE Name = 'nope'")
    assert none == [{"expr0": 0, "expr1": None}]
    assert aggregate(api, "SELECT StageName FROM Opportunity WHERE Name = 'nope' GROUP BY StageName") == []
    count = api.query("SELECT COUNT() FROM Opportunity").json()
    assert count == {"totalSize": 4, "done": True, "records": []}


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Name, COUNT(Id) FROM Opportunity GROUP BY StageName", "MALFORMED_QUERY"),
        ("SELECT StageName, COUNT(Id) FROM Opportunity", "MALFORMED_QUERY"),
        ("SELECT SUM(Name) FROM Opportunity", "INVALID_FIELD"),
        ("SELECT AVG(CloseDate) FROM Opportunity", "INVALID_FIELD"),
        ("SELECT COUNT() FROM Opportunity GROUP BY StageName", "MALFORMED_QUERY"),
        ("SELECT StageName FROM Opportunity GROUP BY StageName HAVING Name = 'x'", "MALFORMED_QUERY"),
        ("SELECT StageName FROM Opportunity GROUP BY StageName ORDER BY Name", "MALFORMED_QUERY"),
        ("SELECT StageName FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 'x'", "MALFORMED_QUERY"),
        ("SELECT Name n FROM Opportunity", "MALFORMED_QUERY"),
        ("SELECT COUNT(Id) a, MAX(Amount) a FROM Opportunity", "MALFORMED_QUERY"),
        ("SELECT Id FROM Opportunity ORDER BY COUNT(Id)", "MALFORMED_QUERY"),
        ("SELECT Id FROM Opportunity HAVING COUNT(Id) > 1", "MALFORMED_QUERY"),
        ("SELECT StageName, (SELECT Id FROM OpportunityLineItems) FROM Opportunity GROUP BY StageName", None),
        ("SELECT Nope, COUNT(Id) FROM Opportunity GROUP BY Nope", "INVALID_FIELD"),
    ],
)
def test_malformed_aggregate_queries(api, soql, code) -> None:
    resp = api.query(soql)
    assert resp.status_code == 400, soql
    if code is not None:
        assert resp.json()[0]["errorCode"] == code, resp.json()


# --- column metadata --------------------------------------------------------------------------

COLUMN_KEYS = [
    "aggregate",
    "apexType",
    "booleanType",
    "columnName",
    "custom",
    "displayName",
    "foreignKeyName",
    "insertable",
    "joinColumns",
    "numberType",
    "textType",
    "updatable",
]


def columns(api, soql: str) -> dict:
    resp = api.get("query", params={"q": soql, "columns": "true"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_columns_describe_fields_parents_and_subqueries_instead_of_records(api) -> None:
    api.create("Account", Name="Acme")
    body = columns(
        api, "SELECT Id, Name, Owner.Name, (SELECT Id, StageName FROM Opportunities), NumberOfEmployees FROM Account"
    )
    assert set(body) == {"columnMetadata", "entityName", "groupBy", "idSelected", "keyPrefix"}
    summary = (body["entityName"], body["groupBy"], body["idSelected"], body["keyPrefix"])
    assert summary == ("Account", False, True, "001")
    id_col, name_col, owner_col, opps_col, employees_col = body["columnMetadata"]
    for col in body["columnMetadata"]:
        assert list(col) == COLUMN_KEYS
    assert id_col == {
        "aggregate": False,
        "apexType": "Id",
        "booleanType": False,
        "columnName": "Id",
        "custom": False,
        "displayName": "Id",
        "foreignKeyName": None,
        "insertable": False,
        "joinColumns": [],
        "numberType": False,
        "textType": False,
        "updatable": False,
    }
    assert (name_col["apexType"], name_col["textType"], name_col["insertable"], name_col["updatable"]) == (
        "String",
        True,
        True,
        True,
    )
    assert owner_col["columnName"] == "Owner" and owner_col["foreignKeyName"] == "OwnerId"
    assert [c["columnName"] for c in owner_col["joinColumns"]] == ["Name"]
    assert opps_col["aggregate"] is True and opps_col["columnName"] == "Opportunities"
    assert [c["columnName"] for c in opps_col["joinColumns"]] == ["Id", "StageName"]
    assert employees_col["apexType"] == "Integer" and employees_col["numberType"] is True
    assert "records" not in body and "totalSize" not in body


def test_columns_of_an_aggregate_query_and_of_nested_parents(api) -> None:
    body = columns(api, "SELECT StageName, COUNT(Id) n, SUM(Amount) FROM Opportunity GROUP BY StageName")
    assert (body["entityName"], body["groupBy"], body["idSelected"], body["keyPrefix"]) == (
        "Opportunity",
        True,
        False,
        "006",
    )
    stage, n, total = body["columnMetadata"]
    assert (stage["columnName"], stage["aggregate"], stage["insertable"]) == ("StageName", False, False)
    assert (n["columnName"], n["aggregate"], n["apexType"], n["numberType"]) == ("n", True, "Integer", True)
    assert (total["columnName"], total["aggregate"], total["numberType"]) == ("expr0", True, True)
    nested = columns(api, "SELECT Account.Name, Account.Owner.Name, Account.Owner.Email FROM Contact")
    (account,) = nested["columnMetadata"]
    assert account["columnName"] == "Account" and account["apexType"] == "Account"
    name, owner = account["joinColumns"]
    assert name["columnName"] == "Name"
    assert [c["columnName"] for c in owner["joinColumns"]] == ["Name", "Email"]
    bad = api.get("query", params={"q": "SELECT Nope FROM Contact", "columns": "true"})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_FIELD"


def test_bulk_query_jobs_take_deep_parent_paths_and_semi_joins(api) -> None:
    """Bulk query jobs run on the same engine as REST queries."""
    parent = api.create("Account", Name="Holding Co")
    child = api.create("Account", Name="Subsidiary", ParentId=parent)
    api.create("Contact", LastName="Deep", AccountId=child)
    api.create("Contact", LastName="Orphan")
    soql = ("SELECT LastName, Account.Parent.Name FROM Contact "
            "WHERE AccountId IN (SELECT Id FROM Account WHERE ParentId != null)")  # fmt: skip
    job = api.post("jobs/query", json={"operation": "query", "query": soql}).json()
    assert "id" in job, job
    for _ in range(50):
        if api.get(f"jobs/query/{job['id']}").json()["state"] == "JobComplete":
            break
        time.sleep(0.05)
    rows = list(csv.DictReader(io.StringIO(api.get(f"jobs/query/{job['id']}/results").text)))
    assert rows == [{"LastName": "Deep", "Account.Parent.Name": "Holding Co"}]
