"""Bulk API 2.0 query jobs over raw HTTP: lifecycle, CSV shape, locator paging, queryAll, errors."""

import csv
import io

import pytest


def _wait(api, job_id: str, limit: int = 10) -> list[str]:
    """Poll a job until it is complete; the states seen, in order."""
    states = []
    for _ in range(limit):
        states.append(api.get(f"jobs/query/{job_id}").json()["state"])
        if states[-1] == "JobComplete":
            return states
    raise AssertionError(f"job {job_id} never completed: {states}")


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
    early = api.get(f"jobs/query/{job['id']}/results")  # before the job is complete: 412, like Salesforce
    assert early.status_code == 412 and early.json()[0]["errorCode"] == "JOB_NOT_COMPLETE"
    polled = api.get(f"jobs/query/{job['id']}").json()  # the org's default: one poll sees the job in progress
    assert polled["state"] == "InProgress" and polled["numberRecordsProcessed"] == 0
    assert api.get(f"jobs/query/{job['id']}/results").status_code == 412
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
    _wait(api, job["id"])
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


@pytest.mark.parametrize("polls", [0, 3])
def test_polls_before_complete_is_a_per_org_setting(sandbox, sandbox_org, api, polls):
    api.create("Account", Name="Polled")
    org = sandbox.control.settings(sandbox_org.org_id, bulk_polls_before_complete=polls)
    assert org["bulk_polls_before_complete"] == polls
    job = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    assert job["state"] == "UploadComplete"
    assert _wait(api, job["id"]) == ["InProgress"] * polls + ["JobComplete"]
    page = api.get(f"jobs/query/{job['id']}/results")
    assert page.status_code == 200 and page.headers["Sforce-NumberOfRecords"] == "1"


def test_job_list_does_not_advance_a_job_and_an_in_progress_job_can_be_aborted(api):
    job = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    for _ in range(3):  # listing is not a poll of the job
        listed = {j["id"]: j["state"] for j in api.get("jobs/query").json()["records"]}
        assert listed[job["id"]] == "InProgress"
    aborted = api.patch(f"jobs/query/{job['id']}", json={"state": "Aborted"})
    assert aborted.status_code == 200 and aborted.json()["state"] == "Aborted"
    assert api.get(f"jobs/query/{job['id']}").json()["state"] == "Aborted"  # polling does not revive it
    assert api.get(f"jobs/query/{job['id']}/results").status_code == 412


def test_polls_setting_rejects_bad_values(sandbox, sandbox_org):
    from sandbox.client import ControlAPIError

    for bad in (-1, "2", True, 101):
        with pytest.raises(ControlAPIError) as err:
            sandbox.control.settings(sandbox_org.org_id, bulk_polls_before_complete=bad)
        assert err.value.status == 400 and "bulk_polls_before_complete" in err.value.message
