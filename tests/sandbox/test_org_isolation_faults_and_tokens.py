"""Points of the sandbox issue that the topic files left implicit: several orgs side by side, the usage header on
every kind of API answer, more fault shapes, token revocation and API access loss, the built objects' standard
fields, and the speed of the bulk loader."""

from __future__ import annotations

import pytest
import requests

from sandbox.client import ControlAPIError, SandboxUser
from tests.sandbox.conftest import Api
from tests.sandbox.test_oauth import Browser, callback_params, exchange, pkce_pair


def test_orgs_are_isolated_and_the_token_selects_the_org(sandbox, sandbox_org, api):
    other = sandbox.control.create_org(name="audit-other-org", edition="Unlimited Edition", licenses=2)
    try:
        other_api = Api(sandbox.url, other.token(other.admin_user)["access_token"])
        mine = api.create("Account", Name="Only in the first org")
        assert other_api.get(f"sobjects/Account/{mine}").status_code == 404
        assert other_api.query("SELECT COUNT() FROM Account").json()["totalSize"] == 0
        assert api.query("SELECT COUNT() FROM Account").json()["totalSize"] == 1
        # Each org has its own id, users and edition limit.
        assert other.org_id != sandbox_org.org_id and other.org_id.startswith("00D")
        assert not {u.id for u in other.users} & {u.id for u in sandbox_org.users}
        assert other_api.get("limits").json()["DailyApiRequests"]["Max"] == 100_000 + 5_000 * 2
        assert api.get("limits").json()["DailyApiRequests"]["Max"] == 15_000
        # The identity URL of one org's user is not readable with another org's token.
        ident = requests.get(
            f"{sandbox.url}/id/{other.org_id}/{other.admin_user.id}", headers=api.http.headers, timeout=10
        )
        assert ident.status_code in (403, 404)
    finally:
        sandbox.control.delete_org(other.org_id)


def _usage(resp: requests.Response) -> int:
    value = resp.headers["Sforce-Limit-Info"]
    assert value.startswith("api-usage=") and value.endswith("/15000"), value
    return int(value.removeprefix("api-usage=").split("/")[0])


def test_usage_header_on_every_kind_of_api_answer(api):
    seen = []
    account = api.create("Account", Name="Header Co")
    job = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"})
    seen.append(job)
    for resp in (
        api.get(f"sobjects/Account/{account}"),
        api.get("sobjects/Account/describe"),
        api.query("SELECT Nope FROM Account"),  # 400
        api.get("sobjects/Account/001000000000000AAA"),  # 404
        api.post("sobjects/Contact", json={}),  # validation error
        api.post("composite/sobjects", json={"records": [{"attributes": {"type": "Account"}, "Name": "C"}]}),
        api.post("composite", json={"compositeRequest": []}),
        api.get(f"jobs/query/{job.json()['id']}/results"),  # CSV
        api.get("sobjects/Account/updated/", params={"start": "2999-01-01T00:00:00Z", "end": "2999-01-02T00:00:00Z"}),
    ):
        seen.append(resp)
    counts = [_usage(r) for r in seen]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)  # each call counted once


def test_more_fault_shapes(sandbox, sandbox_org, api):
    control = sandbox.control
    try:
        control.fault(path="/services/data/*/limits", status=429, times=1)
        resp = api.get("limits")
        assert resp.status_code == 429 and resp.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        control.fault(path="/services/data/*/limits", status=500, body={"custom": "answer"}, times=1)
        resp = api.get("limits")
        assert resp.status_code == 500 and resp.json() == {"custom": "answer"}
        control.fault(method="PATCH", path="/services/data/*/sobjects/Account/*", status=400, times=1)
        account = api.create("Account", Name="Locked")  # POST is not matched
        locked = api.patch(f"sobjects/Account/{account}", json={"Name": "x"})
        assert locked.status_code == 400 and locked.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
        assert api.patch(f"sobjects/Account/{account}", json={"Name": "x"}).status_code == 204
        # OAuth endpoints are faultable too (a login outage).
        control.fault(method="POST", path="/services/oauth2/token", status=503, times=1)
        token = requests.post(
            f"{sandbox.url}/services/oauth2/token", data={"grant_type": "client_credentials"}, timeout=10
        )
        assert token.status_code == 503 and token.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
        # With a probability, some matching requests fail and the others are served.
        control.fault(path="/services/data/*/limits", status=503, probability=0.5)
        statuses = {api.get("limits").status_code for _ in range(60)}
        assert statuses == {200, 503}
    finally:
        control.clear_faults()


def test_revoking_an_access_token_by_get(sandbox, sandbox_org):
    tokens = sandbox_org.token(sandbox_org.admin_user)
    url = f"{sandbox.url}/services/data/v62.0/limits"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    revoke_url = f"{sandbox.url}/services/oauth2/revoke"
    revoked = requests.get(revoke_url, params={"token": tokens["access_token"]}, timeout=10)
    assert revoked.status_code == 200
    expired = requests.get(url, headers=headers, timeout=10)
    assert expired.status_code == 401 and expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_losing_api_access_blocks_refresh_with_the_approval_error(sandbox, sandbox_org):
    tokens = sandbox_org.token(sandbox_org.rep_user)
    sandbox.control.set_permissions(sandbox_org.org_id, "Standard User", api_enabled=False)
    resp = requests.post(
        f"{sandbox.url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": sandbox_org.consumer_key,
            "client_secret": sandbox_org.consumer_secret,
        },
        timeout=10,
    )
    assert resp.status_code == 400
    assert resp.json() == {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}


@pytest.mark.parametrize(
    ("sobject", "fields"),
    [
        ("Opportunity", {"Name", "StageName", "CloseDate", "Amount", "Probability", "AccountId", "OwnerId", "Type",
                         "LeadSource", "IsClosed", "IsWon", "ForecastCategoryName", "NextStep", "Description"}),
        ("Case", {"CaseNumber", "Subject", "Status", "Priority", "Origin", "Reason", "Type", "ContactId", "AccountId",
                  "OwnerId", "IsClosed", "ClosedDate", "SuppliedEmail", "Description"}),
        ("User", {"Username", "FirstName", "LastName", "Name", "Email", "Alias", "IsActive", "ProfileId", "UserType",
                  "TimeZoneSidKey", "LocaleSidKey", "LanguageLocaleKey", "EmailEncodingKey", "ManagerId"}),
    ],
)  # fmt: skip
def test_built_objects_have_their_documented_standard_fields(api, sobject, fields):
    described = {f["name"]: f for f in api.get(f"sobjects/{sobject}/describe").json()["fields"]}
    audit = {"Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp"}
    assert fields | audit <= set(described), sorted(fields | audit - set(described))
    assert described["Id"]["type"] == "id" and not described["CreatedDate"]["createable"]
    assert described["OwnerId" if sobject != "User" else "ManagerId"]["referenceTo"][-1] == "User"


def test_task_type_values_and_required_defaults(api):
    fields = {f["name"]: f for f in api.get("sobjects/Task/describe").json()["fields"]}
    assert {"Call", "Email", "LinkedIn", "SMS", "Other"} <= {v["value"] for v in fields["Type"]["picklistValues"]}
    for name in ("Status", "Priority"):  # required but defaulted: a Task needs nothing but what the caller has
        assert not fields[name]["nillable"] and fields[name]["defaultedOnCreate"]
    task = api.create("Task", Subject="Bare")
    record = api.get(f"sobjects/Task/{task}").json()
    assert record["Status"] == "Not Started" and record["Priority"] == "Normal" and record["IsClosed"] is False


def test_bulk_load_takes_large_batches_and_they_are_queryable_at_once(sandbox, sandbox_org, api):
    """Many rows in one ``POST /_sandbox/records``; its speed is `make bench`'s `sandbox_load_records_per_s`."""
    rows = [[f"First{i}", f"Last{i}", f"p{i}@example.test"] for i in range(50_000)]
    count = sandbox.control.load_records(
        sandbox_org.org_id, "Contact", fields=["FirstName", "LastName", "Email"], rows=rows, return_ids=False
    )
    assert count == 50_000
    assert api.query("SELECT COUNT() FROM Contact WHERE Email = 'p49999@example.test'").json()["totalSize"] == 1
    assert api.query("SELECT COUNT() FROM Contact WHERE Email LIKE 'p%@example.test'").json()["totalSize"] == 50_000


def test_pkce_required_per_org_and_only_s256(sandbox, sandbox_org):
    browser = Browser(sandbox.url, sandbox_org)
    plain = callback_params(browser.open(code_challenge="abc", code_challenge_method="plain"))
    assert plain["error"] == "invalid_request" and plain["state"] == "st-123"
    sandbox.control.settings(sandbox_org.org_id, require_pkce=True)
    missing = callback_params(browser.open())
    assert missing == {
        "error": "invalid_request",
        "error_description": "missing required code challenge",
        "state": "st-123",
    }
    verifier, challenge = pkce_pair()
    code = browser.code(sandbox_org.admin_user, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(sandbox, sandbox_org, code, verifier).status_code == 200


def test_authorization_codes_expire(sandbox, sandbox_org):
    code = Browser(sandbox.url, sandbox_org).code(sandbox_org.admin_user)
    sandbox.control.clock(advance_s=16 * 60)
    try:
        late = exchange(sandbox, sandbox_org, code)
    finally:
        sandbox.control.clock(offset_s=0)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


def test_inactive_users_cannot_log_in(sandbox, sandbox_org):
    user = sandbox.control.add_user(
        sandbox_org.org_id, username="gone@audit.sandbox", password="pw-1", profile="Standard User", is_active=False
    )
    browser = Browser(sandbox.url, sandbox_org)
    page = browser.login(SandboxUser(id=user["id"], username="gone@audit.sandbox", password="pw-1",
                                     profile="Standard User", role="rep"))  # fmt: skip
    assert page.status_code == 200 and "check your username and password" in page.text
    with pytest.raises(ControlAPIError):
        sandbox_org.token(user["id"])


def test_versions_list_runs_to_the_newest_release(sandbox, api):
    versions = requests.get(f"{sandbox.url}/services/data/", timeout=10).json()
    assert [v["version"] for v in versions] == [f"{n}.0" for n in range(31, 68)]
    assert versions[-1] == {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"}
    assert api.get("/services/data/v67.0/limits").status_code == 200
    assert api.get("/services/data/v68.0/limits").status_code == 404


def test_system_fields_follow_the_token_user_through_collections_and_composite(sandbox, sandbox_org, api, rep_api):
    admin, rep = sandbox_org.admin_user.id, sandbox_org.rep_user.id
    created = api.post("composite/sobjects", json={"records": [{"attributes": {"type": "Lead"}, "LastName": "S",
                                                                "Company": "C"}]}).json()[0]  # fmt: skip
    before = api.get(f"sobjects/Lead/{created['id']}").json()
    assert before["CreatedById"] == before["LastModifiedById"] == admin
    sandbox.control.clock(advance_s=90)
    try:
        composite = rep_api.post(
            "composite",
            json={"compositeRequest": [{"method": "PATCH", "url": f"/services/data/v62.0/sobjects/Lead/{created['id']}",
                                        "referenceId": "u", "body": {"Title": "Rep edit"}}]},
        )  # fmt: skip
        assert composite.json()["compositeResponse"][0]["httpStatusCode"] == 204
    finally:
        sandbox.control.clock(offset_s=0)
    after = api.get(f"sobjects/Lead/{created['id']}").json()
    assert after["CreatedById"] == admin and after["LastModifiedById"] == rep
    assert after["CreatedDate"] == before["CreatedDate"]
    assert after["LastModifiedDate"] > before["LastModifiedDate"] and after["SystemModstamp"] > before["SystemModstamp"]
    for field in ("CreatedById", "SystemModstamp", "IsDeleted"):  # system fields are not writable
        resp = api.patch(f"sobjects/Lead/{created['id']}", json={field: admin if field.endswith("Id") else None})
        assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE", field


def test_composite_allows_at_most_five_query_or_collection_subrequests(api):
    query = {"method": "GET", "url": "/services/data/v62.0/query?q=SELECT+Id+FROM+Account"}
    five = [{**query, "referenceId": f"q{i}"} for i in range(5)]
    assert api.post("composite", json={"compositeRequest": five}).status_code == 200
    collection = {"method": "POST", "url": "/services/data/v62.0/composite/sobjects", "referenceId": "c",
                  "body": {"records": [{"attributes": {"type": "Account"}, "Name": "Too many"}]}}  # fmt: skip
    resp = api.post("composite", json={"compositeRequest": [*five, collection]})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    assert api.query("SELECT COUNT() FROM Account").json()["totalSize"] == 0  # nothing ran


def test_identity_url_accepts_fifteen_character_ids(sandbox, sandbox_org, api):
    short = f"{sandbox.url}/id/{sandbox_org.org_id[:15]}/{sandbox_org.rep_user.id[:15]}"
    ident = requests.get(short, headers=api.http.headers, timeout=10)
    assert ident.status_code == 200 and ident.json()["user_id"] == sandbox_org.rep_user.id
    job = api.post("jobs/query", json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    assert api.get(f"jobs/query/{job['id'][:15]}").json()["id"] == job["id"]
