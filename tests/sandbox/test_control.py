"""Every control-API knob, exercised over HTTP (plus the loopback guard, checked in-process)."""

import pytest
import requests

from sandbox.client import ControlAPIError
from sandbox.http import Request
from sandbox.server import SandboxApp
from sandbox.testing import SandboxServer


def test_listing_shows_credentials_and_users(sandbox, sandbox_org):
    listing = requests.get(f"{sandbox.url}/_sandbox/", timeout=10).json()
    org = next(o for o in listing["orgs"] if o["org_id"] == sandbox_org.org_id)
    assert org["name"] == sandbox_org.name
    assert org["login_url"] == org["instance_url"] == sandbox.url
    assert org["consumer_key"].startswith("3MVG9") and org["consumer_secret"]
    assert org["org_id"].startswith("00D") and len(org["org_id"]) == 18
    roles = {u["role"]: u for u in org["users"]}
    assert {"admin", "rep", "noapi", "integration"} <= set(roles)
    assert roles["admin"]["username"].endswith(".sandbox") and roles["admin"]["password"]
    assert roles["admin"]["id"].startswith("005")


def test_create_org_options_and_errors(sandbox):
    control = sandbox.control
    org = control.create_org(
        name="enterprise-co",
        edition="Enterprise Edition",
        licenses=20,
        users=[
            {"username": "boss@enterprise.test", "password": "pw", "profile": "System Administrator", "role": "admin"}
        ],
        callback_urls=["https://app.example/cb"],
        session_timeout_s=900,
    )
    try:
        assert org.raw["api_limit"] == 100_000 + 1_000 * 20
        assert [u.username for u in org.users] == ["boss@enterprise.test"]
        assert org.callback_urls == ["https://app.example/cb"]
        with pytest.raises(ControlAPIError) as exc:
            control.create_org(name="enterprise-co")
        assert exc.value.status == 409
        with pytest.raises(ControlAPIError) as exc:
            control.create_org(name="x", edition="Free Edition")
        assert exc.value.status == 400
        with pytest.raises(ControlAPIError):
            control.create_org(name="y", users="not a list")
    finally:
        control.delete_org(org.org_id)
    assert "enterprise-co" not in [o.name for o in control.orgs()]


def test_malformed_input_answers_json_errors(sandbox):
    base = f"{sandbox.url}/_sandbox"
    bad_json = requests.post(f"{base}/orgs", data="{nope", timeout=10)
    assert bad_json.status_code == 400 and "error" in bad_json.json()
    wrong_type = requests.post(f"{base}/records", json={"org": 5}, timeout=10)
    assert wrong_type.status_code == 400 and "error" in wrong_type.json()
    unknown = requests.get(f"{base}/nothing-here", timeout=10)
    assert unknown.status_code == 404 and unknown.json() == {"error": "no such control endpoint"}
    for path, body in [
        ("/fields", {"org": "nope"}),
        ("/permissions", []),
        ("/faults", {"status": "abc"}),
        ("/latency", {"ms": -5}),
        ("/clock", {"offset_s": "x"}),
        ("/users", {"org": None}),
    ]:
        resp = requests.post(base + path, json=body, timeout=10)
        assert 400 <= resp.status_code < 500 and "error" in resp.json(), (path, resp.text)


def test_control_api_refuses_non_loopback_clients():
    app = SandboxApp()
    resp = app.handle(Request("GET", "/_sandbox/", {}, {}, b"", client_ip="10.1.2.3"))
    assert resp.status == 403
    assert app.handle(Request("GET", "/_sandbox/", {}, {}, b"", client_ip="127.0.0.1")).status == 200


def test_settings_and_users(sandbox, sandbox_org, api):
    control = sandbox.control
    updated = control.settings(sandbox_org.org_id, api_limit=50, api_used=10, refresh_token_rotation=True)
    assert updated["api_limit"] == 50 and updated["api_used"] == 10 and updated["refresh_token_rotation"] is True
    assert api.get("limits").json()["DailyApiRequests"] == {"Max": 50, "Remaining": 39}
    user = control.add_user(sandbox_org.org_id, username="new.rep@test.sandbox", password="pw", profile="Read Only")
    assert user["profile"] == "Read Only" and user["id"].startswith("005")
    with pytest.raises(ControlAPIError):
        control.settings(sandbox_org.org_id, bogus=1)
    with pytest.raises(ControlAPIError):
        control.add_user(sandbox_org.org_id, username="x@y.z", profile="Nope")


def test_fields_endpoint_validates(sandbox, sandbox_org):
    control = sandbox.control
    added = control.add_fields(sandbox_org.org_id, "Contact", [{"name": "Score__c", "type": "double"}])
    assert added == {"sobject": "Contact", "added": ["Score__c"]}
    for bad in (
        {"name": "NoSuffix", "type": "string"},
        {"name": "X__c", "type": "blob"},
        {"name": "Score__c", "type": "double"},
        {"name": "P__c", "type": "picklist"},
    ):
        with pytest.raises(ControlAPIError):
            control.add_fields(sandbox_org.org_id, "Contact", [bad])


def test_deleting_a_custom_field_removes_it_from_describe_soql_and_records(sandbox, sandbox_org, api):
    control = sandbox.control
    control.add_fields(sandbox_org.org_id, "Contact", [{"name": "Score__c", "type": "double"}])
    created = api.post("sobjects/Contact", json={"LastName": "Drift", "Score__c": 7}).json()
    assert api.get(f"sobjects/Contact/{created['id']}").json()["Score__c"] == 7

    deleted = control.delete_fields(sandbox_org.org_id, "Contact", ["score__c"])

    assert deleted == {"sobject": "Contact", "deleted": ["Score__c"]}
    names = {f["name"] for f in api.get("sobjects/Contact/describe").json()["fields"]}
    assert "Score__c" not in names and "LastName" in names
    assert "Score__c" not in api.get(f"sobjects/Contact/{created['id']}").json()
    query = api.get("query", params={"q": "SELECT Score__c FROM Contact"})
    assert query.status_code == 400 and query.json()[0]["errorCode"] == "INVALID_FIELD"
    for names, status in ((["Score__c"], 404), (["LastName"], 400), ([], 400)):
        with pytest.raises(ControlAPIError) as refused:
            control.delete_fields(sandbox_org.org_id, "Contact", names)
        assert refused.value.status == status


def test_permissions_endpoint_validates(sandbox, sandbox_org):
    control = sandbox.control
    profile = control.set_permissions(
        sandbox_org.org_id, "Standard User", objects={"Case": "r"}, fields={"Lead.Phone": "read"}
    )
    assert profile["objects"]["Case"] == "r" and profile["fields"]["Lead.Phone"] == "read"
    with pytest.raises(ControlAPIError):
        control.set_permissions(sandbox_org.org_id, "Standard User", fields={"Lead.Nope": "read"})
    with pytest.raises(ControlAPIError):
        control.set_permissions(sandbox_org.org_id, "Standard User", objects={"Lead": "xyz"})


def test_status_fault_for_the_next_n_requests(sandbox, sandbox_org, api):
    control = sandbox.control
    control.fault(
        method="POST",
        path="/services/data/*/composite/sobjects",
        status=400,
        error_code="UNABLE_TO_LOCK_ROW",
        times=2,
        org=sandbox_org.org_id,
    )
    body = {"records": [{"attributes": {"type": "Account"}, "Name": "Locked"}]}
    for _ in range(2):
        resp = api.post("composite/sobjects", json=body)
        assert resp.status_code == 400
        assert resp.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW" and resp.json()[0]["message"]
    assert api.get("limits").status_code == 200  # other paths untouched
    assert api.post("composite/sobjects", json=body).status_code == 200  # fault used up
    assert control.faults() == []


def test_probability_faults_and_clear(sandbox, sandbox_org, api):
    control = sandbox.control
    control.fault(path="/services/data/*/limits", status=503, probability=0.0)
    assert all(api.get("limits").status_code == 200 for _ in range(5))
    control.fault(path="/services/data/*/limits", status=503, probability=1.0)
    resp = api.get("limits")
    assert resp.status_code == 503 and resp.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    control.clear_faults()
    assert api.get("limits").status_code == 200


def test_drop_and_delay_faults(sandbox, sandbox_org, api):
    control = sandbox.control
    control.fault(path="/services/data/*/sobjects", action="drop", times=1)
    with pytest.raises(requests.ConnectionError):
        api.get("sobjects")
    assert api.get("sobjects").status_code == 200
    control.clear_requests()
    control.fault(path="/services/data/*/limits", action="delay", delay_ms=150, times=1)
    assert api.get("limits").status_code == 200
    entry = control.requests(org=sandbox_org.org_id)[-1]
    assert entry["duration_ms"] >= 150


def test_latency_applies_to_api_calls(sandbox, sandbox_org, api):
    control = sandbox.control
    control.clear_requests()
    assert control.latency(120) == {"latency_ms": 120}
    try:
        api.get("limits")
    finally:
        control.latency(0)
    assert control.requests(org=sandbox_org.org_id)[-1]["duration_ms"] >= 120


def test_request_log_has_costs_and_filters_by_org(sandbox, sandbox_org, api):
    control = sandbox.control
    control.clear_requests()
    requests.get(f"{sandbox.url}/services/data/", timeout=10)
    api.get("limits")
    api.query("SELECT Id FROM Contact")
    mine = control.requests(org=sandbox_org.org_id)
    assert [(e["method"], e["path"], e["status"], e["api_cost"]) for e in mine] == [
        ("GET", "/services/data/v62.0/limits", 200, 1),
        ("GET", "/services/data/v62.0/query", 200, 1),
    ]
    assert all(e["user"] == sandbox_org.admin_user.id and e["timestamp"] for e in mine)
    everything = control.requests()
    assert ("/services/data/", 0) in [(e["path"], e["api_cost"]) for e in everything]
    control.clear_requests()
    assert control.requests() == []


def test_bulk_load_records(sandbox, sandbox_org, api):
    control = sandbox.control
    rep = sandbox_org.rep_user.id
    ids = control.load_records(
        sandbox_org.org_id,
        "Contact",
        [
            {"LastName": "Tie", "SystemModstamp": "2024-05-01T10:00:00Z", "CreatedDate": "2024-05-01T09:00:00Z"},
            {"LastName": "Tie2", "SystemModstamp": "2024-05-01T10:00:00.000+0000"},
        ],
        created_by=rep,
    )
    assert len(ids) == 2 and all(i.startswith("003") for i in ids)
    rows = {r["Id"]: r for r in control.records(sandbox_org.org_id, "Contact")}
    assert rows[ids[0]]["SystemModstamp"] == rows[ids[1]]["SystemModstamp"] == "2024-05-01T10:00:00.000+0000"
    assert rows[ids[0]]["CreatedDate"] == "2024-05-01T09:00:00.000+0000"
    assert rows[ids[0]]["CreatedById"] == rep and rows[ids[0]]["OwnerId"] == rep
    tie = api.query("SELECT Id FROM Contact WHERE SystemModstamp = 2024-05-01T10:00:00Z").json()
    assert tie["totalSize"] == 2
    count = control.load_records(
        sandbox_org.org_id, "Lead", fields=["LastName", "Company"], rows=[["A", "B"]] * 1000, return_ids=False
    )
    assert count == 1000
    with pytest.raises(ControlAPIError):
        control.load_records(sandbox_org.org_id, "Lead", fields=["Nope"], rows=[["x"]])
    with pytest.raises(ControlAPIError):
        control.load_records(sandbox_org.org_id, "Lead", fields=["LastName", "Company"], rows=[["only one"]])


def test_tokens_expire_and_clock(sandbox, sandbox_org, api):
    control = sandbox.control
    assert api.get("limits").status_code == 200
    assert control.expire_tokens(org=sandbox_org.org_id) >= 1
    assert api.get("limits").status_code == 401
    before = control.clock()["now"]
    after = control.clock(advance_s=3600)["now"]
    control.clock(offset_s=0)
    assert after > before


def test_reset_clears_everything():
    with SandboxServer() as server:
        control = server.control
        control.create_org(name="temp")
        control.fault(path="*", status=503)
        control.latency(5)
        assert control.reset()["reset"] is True
        assert control.orgs() == [] and control.faults() == []
        assert requests.get(f"{server.url}/_sandbox/latency", timeout=10).json() == {"latency_ms": 0}


def test_deleted_log_start_purges_older_deletes_and_moves_get_deleted_earliest_date(sandbox, sandbox_org, api):
    import datetime as dt

    control, org = sandbox.control, sandbox_org.org_id
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def stamp(delta: dt.timedelta) -> str:
        return (now - delta).strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    old, recent = control.load_records(
        org,
        "Account",
        [
            {"Name": "Old", "IsDeleted": True, "SystemModstamp": stamp(dt.timedelta(hours=3))},
            {"Name": "Recent", "IsDeleted": True, "SystemModstamp": stamp(dt.timedelta(minutes=30))},
        ],
    )
    window = {"start": stamp(dt.timedelta(hours=4)), "end": stamp(-dt.timedelta(minutes=2))}
    before = api.get("sobjects/Account/deleted/", params=window).json()
    assert {r["id"] for r in before["deletedRecords"]} == {old, recent}

    control.settings(org, deleted_log_start=stamp(dt.timedelta(hours=1)))

    after = api.get("sobjects/Account/deleted/", params=window).json()
    assert [r["id"] for r in after["deletedRecords"]] == [recent]
    assert after["earliestDateAvailable"] == (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00.000+0000")
    every = api.get("queryAll", params={"q": "SELECT Id FROM Account WHERE IsDeleted = true"}).json()
    assert [r["Id"] for r in every["records"]] == [recent]  # purged, as when the recycle bin is emptied

    # An earlier start than the org's creation is allowed (the org "existed" before); Salesforce's 15 days still cap it.
    control.settings(org, deleted_log_start=stamp(dt.timedelta(days=40)))
    capped = api.get("sobjects/Account/deleted/", params=window).json()["earliestDateAvailable"]
    assert capped < stamp(dt.timedelta(days=14)) and capped >= stamp(dt.timedelta(days=15, minutes=1))
    with pytest.raises(ControlAPIError) as exc:
        control.settings(org, deleted_log_start="yesterday")
    assert exc.value.status == 400 and "deleted_log_start" in str(exc.value)
