"""REST query/queryAll through the sandbox: paging, parents, counts, deleted rows, errors."""


def load_contacts(sandbox, org, n, **extra):
    rows = [[f"First{i}", f"Last{i:05d}", f"person{i}@example.test", *extra.values()] for i in range(n)]
    return sandbox.control.load_records(
        org.org_id, "Contact", fields=["FirstName", "LastName", "Email", *extra], rows=rows
    )


def test_paging_with_next_records_url(sandbox, sandbox_org, api):
    load_contacts(sandbox, sandbox_org, 4500)
    first = api.query("SELECT Id, LastName FROM Contact ORDER BY LastName").json()
    assert first["totalSize"] == 4500 and first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    second = api.get(first["nextRecordsUrl"]).json()
    third = api.get(second["nextRecordsUrl"]).json()
    assert len(second["records"]) == 2000 and len(third["records"]) == 500 and third["done"] is True
    assert "nextRecordsUrl" not in third
    names = [r["LastName"] for page in (first, second, third) for r in page["records"]]
    assert names == sorted(names) and len(set(names)) == 4500


def test_batch_size_header(sandbox, sandbox_org, api):
    load_contacts(sandbox, sandbox_org, 450)
    page = api.query("SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=200"}).json()
    assert len(page["records"]) == 200 and page["nextRecordsUrl"].endswith("-200")


def test_parent_fields_count_and_filters(sandbox, sandbox_org, api):
    acme = api.create("Account", Name="Acme", Industry="Energy")
    api.create("Contact", LastName="A", Email="a@acme.test", AccountId=acme)
    api.create("Contact", LastName="B", Email="B@ACME.TEST")
    page = api.query("SELECT Id, LastName, Account.Name FROM Contact WHERE Email = 'a@ACME.test'").json()
    assert page["totalSize"] == 1
    record = page["records"][0]
    assert record["Account"]["Name"] == "Acme" and record["Account"]["attributes"]["type"] == "Account"
    orphan = api.query("SELECT Account.Name FROM Contact WHERE LastName = 'B'").json()["records"][0]
    assert orphan["Account"] is None
    count = api.query("SELECT COUNT() FROM Contact WHERE Email LIKE '%acme.test'").json()
    assert count == {"totalSize": 2, "done": True, "records": []}
    filtered = api.query("SELECT Id FROM Contact WHERE Account.Industry = 'Energy' AND CreatedDate = LAST_N_DAYS:1")
    assert filtered.json()["totalSize"] == 1


def test_query_all_sees_deleted_rows(api):
    keep = api.create("Lead", LastName="Keep", Company="K")
    drop = api.create("Lead", LastName="Drop", Company="D")
    api.delete(f"sobjects/Lead/{drop}")
    live = api.query("SELECT Id FROM Lead").json()
    assert [r["Id"] for r in live["records"]] == [keep]
    every = api.get("queryAll", params={"q": "SELECT Id, IsDeleted FROM Lead ORDER BY LastName"}).json()
    assert [(r["Id"], r["IsDeleted"]) for r in every["records"]] == [(drop, True), (keep, False)]


def test_query_errors_are_salesforce_errors(api):
    cases = {
        "SELECT Id FROM Nope": "INVALID_TYPE",
        "SELECT Nope FROM Contact": "INVALID_FIELD",
        "SELECT Id FROM Contact WHERE": "MALFORMED_QUERY",
        "SELECT Id FROM Contact GROUP BY LastName": "MALFORMED_QUERY",
        "SELEKT": "MALFORMED_QUERY",
    }
    for soql, code in cases.items():
        resp = api.query(soql)
        assert resp.status_code == 400, soql
        assert resp.json()[0]["errorCode"] == code, (soql, resp.json())
    missing = api.get("query")
    assert missing.status_code == 400
    bad_locator = api.get("query/01gXXXXXXXXXXXXXXX-2000")
    assert bad_locator.status_code == 400 and bad_locator.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_limit_offset(sandbox, sandbox_org, api):
    load_contacts(sandbox, sandbox_org, 30)
    page = api.query("SELECT LastName FROM Contact ORDER BY LastName DESC LIMIT 5 OFFSET 10").json()
    assert [r["LastName"] for r in page["records"]] == [f"Last{i:05d}" for i in range(19, 14, -1)]
    assert page["totalSize"] == 5
