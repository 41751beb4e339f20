"""Deactivating a user after creation (control API), and faults limited to one org matching only its requests."""

from __future__ import annotations

import base64
import uuid

import pytest
import requests

from sandbox.client import ControlAPIError
from tests.sandbox.conftest import Api
from tests.sandbox.test_oauth import Browser, exchange, token_call


def _refresh_form(org, refresh: str) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": org.consumer_key,
        "client_secret": org.consumer_secret,
    }


def test_a_deactivated_user_loses_sessions_refresh_and_login(sandbox, sandbox_org):
    control, rep = sandbox.control, sandbox_org.rep_user
    browser = Browser(sandbox.url, sandbox_org)
    tokens = exchange(sandbox, sandbox_org, browser.code(rep)).json()
    rest = Api(sandbox.url, tokens["access_token"])
    assert rest.get("limits").status_code == 200

    user = control.deactivate_user(rep.username)
    assert user["is_active"] is False and user["id"] == rep.id
    assert [u["is_active"] for u in control.get_org(sandbox_org.org_id).raw["users"] if u["id"] == rep.id] == [False]

    api_call = rest.get("limits")  # the session it had is over
    assert api_call.status_code == 401
    assert api_call.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    userinfo = requests.get(f"{sandbox.url}/services/oauth2/userinfo", headers=rest.http.headers, timeout=10)
    assert userinfo.status_code == 403
    refresh = token_call(sandbox.url, **_refresh_form(sandbox_org, tokens["refresh_token"]))
    assert refresh.status_code == 400
    assert refresh.json() == {"error": "invalid_grant", "error_description": "inactive user"}
    refused = browser.login(rep)  # the login page refuses, with Salesforce's wording, and redirects nowhere
    assert refused.status_code == 200 and "Please check your username and password" in refused.text
    with pytest.raises(ControlAPIError):
        sandbox_org.token(rep)
    admin = Api(sandbox.url, sandbox_org.token(sandbox_org.admin_user)["access_token"])
    row = admin.query(f"SELECT IsActive FROM User WHERE Id = '{rep.id}'").json()["records"][0]
    assert row["IsActive"] is False

    # Reactivated (by id, in a named org): the refresh token works again; the ended session stays ended.
    assert control.update_user(rep.id, org=sandbox_org.org_id, is_active=True)["is_active"] is True
    renewed = token_call(sandbox.url, **_refresh_form(sandbox_org, tokens["refresh_token"]))
    assert renewed.status_code == 200, renewed.text
    assert rest.get("limits").status_code == 401
    assert Api(sandbox.url, renewed.json()["access_token"]).get("limits").status_code == 200


def test_user_update_also_takes_post_and_rejects_bad_input(sandbox, sandbox_org):
    rep = sandbox_org.rep_user
    resp = requests.post(f"{sandbox.url}/_sandbox/users/{rep.username}", json={"is_active": False}, timeout=10)
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    control = sandbox.control
    for key, changes, status, words in (
        (rep.id, {"is_active": "no"}, 400, "'is_active' must be true or false"),
        (rep.id, {"colour": "red"}, 400, "unknown keys ['colour']"),
        (rep.id, {}, 400, "give at least one of"),
        (rep.id, {"profile": "Nope"}, 400, "unknown profile"),
        ("nobody@nowhere.sandbox", {"is_active": False}, 404, "no user"),
    ):
        with pytest.raises(ControlAPIError) as err:
            control.update_user(key, **changes)
        assert err.value.status == status and words in err.value.message, err.value.message
    control.update_user(rep.id, profile="Read Only")
    assert control.get_org(sandbox_org.org_id).user(rep.id).profile == "Read Only"


@pytest.fixture
def other_org(sandbox):
    org = sandbox.control.create_org(name=f"faults-other-{uuid.uuid4().hex[:8]}")
    yield org
    sandbox.control.delete_org(org.org_id)


def test_an_org_limited_fault_skips_requests_it_cannot_attribute(sandbox, sandbox_org, other_org):
    control = sandbox.control
    mine = sandbox_org.token(sandbox_org.admin_user)
    theirs = other_org.token(other_org.admin_user)
    try:
        control.fault(path="*", status=503, org=sandbox_org.org_id)
        # No token at all, another org's token, another org's client on the token endpoint: untouched.
        assert requests.get(f"{sandbox.url}/services/data/", timeout=10).status_code == 200
        assert Api(sandbox.url, theirs["access_token"]).get("limits").status_code == 200
        assert token_call(sandbox.url, **_refresh_form(other_org, theirs["refresh_token"])).status_code == 200
        assert token_call(sandbox.url, grant_type="refresh_token", refresh_token="nope").status_code == 400
        authorize = requests.get(
            f"{sandbox.url}/services/oauth2/authorize",
            params={"response_type": "code", "client_id": other_org.consumer_key, "redirect_uri": "http://x/"},
            timeout=10,
        )
        assert authorize.status_code != 503
        # This org's token (even a dead one), its refresh token, its client id (form or Basic): the fault fires.
        assert Api(sandbox.url, mine["access_token"]).get("limits").status_code == 503
        assert Api(sandbox.url, sandbox_org.org_id[:15] + "!unknown").get("limits").status_code == 503
        by_refresh = token_call(sandbox.url, grant_type="refresh_token", refresh_token=mine["refresh_token"])
        assert by_refresh.status_code == 503
        form = {"grant_type": "client_credentials", "client_id": sandbox_org.consumer_key, "client_secret": "x"}
        assert token_call(sandbox.url, **form).status_code == 503
        basic = base64.b64encode(f"{sandbox_org.consumer_key}:x".encode()).decode()
        resp = requests.post(
            f"{sandbox.url}/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
            timeout=10,
        )
        assert resp.status_code == 503
        identity = requests.get(f"{sandbox.url}/id/{sandbox_org.org_id}/{sandbox_org.rep_user.id}", timeout=10)
        assert identity.status_code == 503
    finally:
        control.clear_faults()


def test_an_unlimited_fault_still_matches_anonymous_requests(sandbox, sandbox_org):
    control = sandbox.control
    try:
        control.fault(path="/services/data/", status=503, times=1)
        assert requests.get(f"{sandbox.url}/services/data/", timeout=10).status_code == 503
    finally:
        control.clear_faults()
