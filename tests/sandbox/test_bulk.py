"""Bulk API 2.0 query jobs over raw HTTP: lifecycle, CSV shape, locator paging, queryAll, errors."""

import csv
import io


def test_query_job_lifecycle_and_paged_csv(sandbox, sandbox_org, api):
    acme = api.create("Account", Name="Acme, Inc.")
    sandbox.control.load_records(
        sandbox_org.org_id,
        "Contact",
        fields=["LastName", "Email", "AccountId"],
        rows=[[f"L{i:04d}", f"p{i}@x.test", acme if i % 2 else None] for i in range(2500)],
    )
    soql = "SELECT Id, LastName, Account.Name FROM Contact"
    created = api.post("jobs/query", json={"operation": "query", "query": soql})
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["id"].startswith("750") and job["state"] == "UploadComplete" and job["object"] == "Contact"
    assert {
        "id",
        "operation",
        "object",
        "createdById",
        "createdDate",
        "systemModstamp",
        "state",
        "concurrencyMode",
        "contentType",
        "apiVersion",
        "lineEnding",
        "columnDelimiter",
    } == set(job)
    polled = api.get(f"jobs/query/{job['id']}").json()
    assert polled["state"] == "JobComplete" and polled["numberRecordsProcessed"] == 2500

    rows, locator, pages = [], None, 0
    while True:
        params = {"maxRecords": 1000, **({"locator": locator} if locator else {})}
        page = api.get(f"jobs/query/{job['id']}/results", params=params)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/csv")
        reader = list(csv.reader(io.StringIO(page.text)))
        assert reader[0] == ["Id", "LastName", "Account.Name"]
        assert int(page.headers["Sforce-NumberOfRecords"]) == len(reader) - 1
        rows += reader[1:]
        pages += 1
        locator = page.headers["Sforce-Locator"]
        if locator == "null":
            break
    assert pages == 3 and len(rows) == 2500
    assert {r[2] for r in rows} == {"Acme, Inc.", ""}
    first_line = api.get(f"jobs/query/{job['id']}/results", params={"maxRecords": 1}).text.splitlines()[1]
    assert first_line.startswith('"003')  # values are double-quoted


def test_query_all_job_and_options(api):
    keep = api.create("Lead", LastName="Keep", Company="K")
    drop = api.create("Lead", LastName="Drop", Company="D")
    api.delete(f"sobjects/Lead/{drop}")
    job = api.post(
        "jobs/query",
        json={
            "operation": "queryAll",
            "query": "SELECT Id, IsDeleted FROM Lead",
            "columnDelimiter": "PIPE",
            "lineEnding": "CRLF",
        },
    ).json()
    text = api.get(f"jobs/query/{job['id']}/results").text
    assert text.split("\r\n")[0] == '"Id"|"IsDeleted"'
    assert f'"{drop}"|"true"' in text and f'"{keep}"|"false"' in text


def test_bulk_rejects_unsupported_soql_and_unknown_jobs(api):
    resp = api.post("jobs/query", json={"operation": "query", "query": "SELECT COUNT() FROM Contact"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "MALFORMED_QUERY"
    resp = api.post("jobs/query", json={"operation": "query", "query": "SELECT Nope FROM Contact"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD"
    resp = api.post("jobs/query", json={"operation": "upsert", "query": "SELECT Id FROM Contact"})
    assert resp.status_code == 400
    assert api.get("jobs/query/7508d000iW264W0AQI").status_code == 404


def test_job_list_and_delete(api):
    job = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    assert job["id"] in [j["id"] for j in api.get("jobs/query").json()["records"]]
    assert api.delete(f"jobs/query/{job['id']}").status_code == 204
    assert api.get(f"jobs/query/{job['id']}").status_code == 404
