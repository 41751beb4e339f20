"""Fault kinds the soak needs: answers lost after the write (phase "after"), 429 with headers, expired sessions."""

from __future__ import annotations

import pytest
import requests

from sandbox.client import ControlAPIError

ACCOUNT = {"records": [{"attributes": {"type": "Account"}, "Name": "Written anyway"}]}


def accounts(sandbox, org) -> list[str]:
    return [r["Name"] for r in sandbox.control.records(org.org_id, "Account", include_deleted=False)]


def test_error_after_the_write_commits_it_and_loses_the_answer(sandbox, sandbox_org, api):
    sandbox.control.fault(method="POST", path="/services/data/*/composite/sobjects", status=503, phase="after",
                          times=1)  # fmt: skip
    resp = api.post("composite/sobjects", json=ACCOUNT)
    assert resp.status_code == 503 and resp.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert accounts(sandbox, sandbox_org).count("Written anyway") == 1  # the client must not write it again
    entry = sandbox.control.requests(org=sandbox_org.org_id)[-1]
    assert entry["status"] == 503 and entry["api_cost"] == 1  # Salesforce counts the call it processed


def test_drop_after_the_write(sandbox, sandbox_org, api):
    sandbox.control.fault(method="POST", path="/services/data/*/composite/sobjects", action="drop", phase="after",
                          times=1)  # fmt: skip
    with pytest.raises(requests.ConnectionError):
        api.post("composite/sobjects", json=ACCOUNT)
    assert accounts(sandbox, sandbox_org).count("Written anyway") == 1


def test_error_before_writes_nothing(sandbox, sandbox_org, api):
    sandbox.control.fault(method="POST", path="/services/data/*/composite/sobjects", status=503, times=1)
    assert api.post("composite/sobjects", json=ACCOUNT).status_code == 503
    assert "Written anyway" not in accounts(sandbox, sandbox_org)


def test_429_carries_the_headers_given(sandbox, sandbox_org, api):
    sandbox.control.fault(path="/services/data/*/limits", status=429, error_code="REQUEST_LIMIT_EXCEEDED",
                          message="ConcurrentPerOrgLongTxn Limit exceeded", times=1,
                          headers={"Retry-After": 2, "X-RateLimit-Remaining": "0"})  # fmt: skip
    resp = api.get("limits")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "2" and resp.headers["X-RateLimit-Remaining"] == "0"
    assert resp.json()[0]["message"] == "ConcurrentPerOrgLongTxn Limit exceeded"
    assert api.get("limits").status_code == 200


def test_expire_ends_the_session_for_real_and_refresh_works(sandbox, sandbox_org):
    token = sandbox_org.token(sandbox_org.admin_user)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"
    limits = f"{sandbox.url}/services/data/v62.0/limits"
    sandbox.control.fault(path="/services/data/*/limits", action="expire", times=1)
    resp = session.get(limits, timeout=30)
    assert resp.status_code == 401 and resp.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert session.get(limits, timeout=30).status_code == 401  # not one bad answer: the token is dead
    refreshed = requests.post(f"{sandbox.url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": sandbox_org.consumer_key,
        "client_secret": sandbox_org.consumer_secret}, timeout=30)  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text
    session.headers["Authorization"] = f"Bearer {refreshed.json()['access_token']}"
    assert session.get(limits, timeout=30).status_code == 200


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"phase": "later"}, "phase must be one of"),
        ({"action": "delay", "delay_ms": 5, "phase": "after"}, "only 'error' and 'drop'"),
        ({"headers": ["Retry-After"]}, "'headers' must map"),
        ({"headers": {"Retry-After": None}}, "'headers' must map"),
    ],
)
def test_bad_fault_specs_say_why(sandbox, spec, message):
    with pytest.raises(ControlAPIError) as exc:
        sandbox.control.fault(path="/services/data/*", **spec)
    assert message in str(exc.value)
