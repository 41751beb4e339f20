"""OAuth as Salesforce serves it: login and consent pages, PKCE, token grants, errors, revoke, identity."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

CALLBACK = "http://127.0.0.1:8000/integrations/salesforce/callback/"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def callback_params(resp: requests.Response) -> dict[str, str]:
    assert resp.status_code == 302, resp.text[:500]
    location = resp.headers["Location"]
    assert location.startswith(CALLBACK)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Browser:
    """Clicks through the authorize pages the way a person would (cookies kept between visits)."""

    def __init__(self, base_url: str, org) -> None:
        self.base_url, self.org = base_url, org
        self.http = requests.Session()

    def params(self, **extra) -> dict[str, str]:
        return {
            "response_type": "code",
            "client_id": self.org.consumer_key,
            "redirect_uri": CALLBACK,
            "scope": "api refresh_token id openid",
            "state": "st-123",
            **extra,
        }

    def open(self, **extra) -> requests.Response:
        return self.http.get(
            f"{self.base_url}/services/oauth2/authorize", params=self.params(**extra), allow_redirects=False, timeout=10
        )

    def post(self, data: dict) -> requests.Response:
        return self.http.post(
            f"{self.base_url}/services/oauth2/authorize", data=data, allow_redirects=False, timeout=10
        )

    def login(self, user, password: str | None = None, **extra) -> requests.Response:
        extra.setdefault("prompt", "login")
        page = self.open(**extra)
        assert page.status_code == 200 and 'name="username"' in page.text
        return self.post(
            {
                **self.params(**extra),
                "action": "login",
                "username": user.username,
                "password": password or user.password,
            }
        )

    def approve(self, consent: requests.Response, action: str = "approve", **extra) -> requests.Response:
        assert consent.status_code == 200 and "Allow access?" in consent.text, consent.text[:300]
        ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text).group(1)
        return self.post({**self.params(**extra), "ticket": ticket, "action": action})

    def code(self, user, **extra) -> str:
        resp = self.login(user, **extra)
        if resp.status_code == 200:  # first time: the consent page
            resp = self.approve(resp, **extra)
        return callback_params(resp)["code"]


def token_call(base_url: str, **form) -> requests.Response:
    return requests.post(f"{base_url}/services/oauth2/token", data=form, timeout=10)


@pytest.fixture
def auth_browser(sandbox, sandbox_org) -> Browser:
    return Browser(sandbox.url, sandbox_org)


def exchange(sandbox, org, code: str, verifier: str | None = None, **overrides) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": org.consumer_key,
        "client_secret": org.consumer_secret,
        "redirect_uri": CALLBACK,
    }
    if verifier:
        form["code_verifier"] = verifier
    form.update(overrides)
    return token_call(sandbox.url, **{k: v for k, v in form.items() if v is not None})


def test_web_server_flow_with_pkce(sandbox, sandbox_org, auth_browser):
    verifier, challenge = pkce_pair()
    extra = {"code_challenge": challenge, "code_challenge_method": "S256"}
    params = callback_params(auth_browser.approve(auth_browser.login(sandbox_org.rep_user, **extra), **extra))
    assert params["state"] == "st-123"
    resp = exchange(sandbox, sandbox_org, params["code"], verifier)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "expires_in" not in body
    assert {
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "id_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    } == set(body)
    assert body["access_token"].startswith(sandbox_org.org_id[:15] + "!")
    assert body["instance_url"] == sandbox.url
    assert body["id"] == f"{sandbox.url}/id/{sandbox_org.org_id}/{sandbox_org.rep_user.id}"
    expected = base64.b64encode(
        hmac.new(
            sandbox_org.consumer_secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert body["signature"] == expected
    api = requests.get(
        f"{sandbox.url}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    )
    assert api.status_code == 200
    # The code is single-use.
    again = exchange(sandbox, sandbox_org, params["code"], verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_pkce_errors(sandbox, sandbox_org, auth_browser):
    verifier, challenge = pkce_pair()
    extra = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = auth_browser.code(sandbox_org.admin_user, **extra)
    missing = exchange(sandbox, sandbox_org, code)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"
    code = auth_browser.code(sandbox_org.admin_user, **extra)
    wrong = exchange(sandbox, sandbox_org, code, "x" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_request"


def test_token_endpoint_client_errors(sandbox, sandbox_org, auth_browser):
    code = auth_browser.code(sandbox_org.admin_user)
    bad_secret = exchange(sandbox, sandbox_org, code, client_secret="nope")
    assert bad_secret.status_code == 400
    assert bad_secret.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}
    unknown = exchange(sandbox, sandbox_org, code, client_id="3MVGunknown")
    assert unknown.json() == {"error": "invalid_client_id", "error_description": "client identifier invalid"}
    mismatch = exchange(sandbox, sandbox_org, code, redirect_uri="http://127.0.0.1:8000/other/")
    assert mismatch.json()["error"] == "redirect_uri_mismatch"
    grant = token_call(sandbox.url, grant_type="password", client_id=sandbox_org.consumer_key)
    assert grant.json()["error"] == "unsupported_grant_type"


def test_login_consent_deny_and_prompt(sandbox, sandbox_org, auth_browser):
    failed = auth_browser.login(sandbox_org.admin_user, password="wrong")
    assert failed.status_code == 200 and "check your username and password" in failed.text
    denied = callback_params(auth_browser.approve(auth_browser.login(sandbox_org.admin_user), action="deny"))
    assert denied["error"] == "access_denied" and denied["state"] == "st-123"
    callback_params(auth_browser.approve(auth_browser.login(sandbox_org.admin_user)))
    # Logged in (session cookie) and already approved: straight back with a code, no page.
    quick = callback_params(auth_browser.open())
    assert "code" in quick
    # prompt=login shows the login page again.
    forced = auth_browser.open(prompt="login")
    assert forced.status_code == 200 and 'name="password"' in forced.text
    # prompt=consent asks again even though the app was approved.
    again = auth_browser.login(sandbox_org.admin_user, prompt="login consent")
    assert again.status_code == 200 and "Allow access?" in again.text


def test_authorize_rejects_unknown_clients_and_unregistered_redirects(sandbox, sandbox_org, auth_browser):
    unknown = auth_browser.open(client_id="3MVGnope")
    assert unknown.status_code == 400 and "invalid_client_id" in unknown.text
    other = auth_browser.http.get(
        f"{sandbox.url}/services/oauth2/authorize",
        params={**auth_browser.params(), "redirect_uri": "https://evil.example/cb"},
        allow_redirects=False,
        timeout=10,
    )
    assert other.status_code == 400 and "redirect_uri_mismatch" in other.text


def test_user_without_api_access_gets_the_approval_error(sandbox, sandbox_org, auth_browser):
    resp = auth_browser.login(sandbox_org.user("noapi"))
    params = callback_params(resp)
    assert params["error"] == "OAUTH_APPROVAL_ERROR_GENERIC" and "error_description" in params


def test_refresh_without_and_with_rotation(sandbox, sandbox_org, auth_browser):
    body = exchange(sandbox, sandbox_org, auth_browser.code(sandbox_org.admin_user)).json()
    refresh = body["refresh_token"]
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": sandbox_org.consumer_key,
        "client_secret": sandbox_org.consumer_secret,
    }
    first = token_call(sandbox.url, **form).json()
    assert "refresh_token" not in first and first["access_token"] != body["access_token"]
    assert token_call(sandbox.url, **form).status_code == 200  # reusable without rotation

    sandbox.control.settings(sandbox_org.org_id, refresh_token_rotation=True)
    rotated = token_call(sandbox.url, **form).json()
    assert rotated["refresh_token"] != refresh
    reused = token_call(sandbox.url, **form)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    follow = token_call(sandbox.url, **{**form, "refresh_token": rotated["refresh_token"]})
    assert follow.status_code == 200 and follow.json()["refresh_token"] != rotated["refresh_token"]


def test_session_timeout_expires_access_tokens(sandbox, sandbox_org):
    tokens = sandbox_org.token(sandbox_org.admin_user)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    url = f"{sandbox.url}/services/data/v62.0/limits"
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    sandbox.control.settings(sandbox_org.org_id, session_timeout_s=60)
    sandbox.control.clock(advance_s=61)
    try:
        expired = requests.get(url, headers=headers, timeout=10)
        assert expired.status_code == 401 and expired.json()[0]["errorCode"] == "INVALID_SESSION_ID"
        refreshed = token_call(
            sandbox.url,
            grant_type="refresh_token",
            refresh_token=tokens["refresh_token"],
            client_id=sandbox_org.consumer_key,
            client_secret=sandbox_org.consumer_secret,
        )
        new_headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
        assert requests.get(url, headers=new_headers, timeout=10).status_code == 200
    finally:
        sandbox.control.clock(offset_s=0)


def test_client_credentials_flow(sandbox, sandbox_org):
    basic = base64.b64encode(f"{sandbox_org.consumer_key}:{sandbox_org.consumer_secret}".encode()).decode()
    resp = requests.post(
        f"{sandbox.url}/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert "refresh_token" not in body and "expires_in" not in body
    assert body["id"].endswith("/" + sandbox_org.user("integration").id)
    wrong = token_call(
        sandbox.url, grant_type="client_credentials", client_id=sandbox_org.consumer_key, client_secret="bad"
    )
    assert wrong.json()["error"] == "invalid_client"
    sandbox.control.settings(sandbox_org.org_id, client_credentials_user=sandbox_org.user("noapi").id)
    blocked = token_call(
        sandbox.url,
        grant_type="client_credentials",
        client_id=sandbox_org.consumer_key,
        client_secret=sandbox_org.consumer_secret,
    )
    assert blocked.status_code == 400
    assert blocked.json() == {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}


def test_revoke_kills_refresh_and_derived_access_tokens(sandbox, sandbox_org):
    tokens = sandbox_org.token(sandbox_org.rep_user)
    resp = requests.post(f"{sandbox.url}/services/oauth2/revoke", data={"token": tokens["refresh_token"]}, timeout=10)
    assert resp.status_code == 200
    api = requests.get(
        f"{sandbox.url}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert api.status_code == 401
    refresh = token_call(
        sandbox.url,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        client_id=sandbox_org.consumer_key,
        client_secret=sandbox_org.consumer_secret,
    )
    assert refresh.json()["error"] == "invalid_grant"
    unknown = requests.post(f"{sandbox.url}/services/oauth2/revoke", data={"token": "nope"}, timeout=10)
    assert unknown.status_code == 400


def test_userinfo_and_identity_url(sandbox, sandbox_org):
    tokens = sandbox_org.token(sandbox_org.rep_user)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    info = requests.get(f"{sandbox.url}/services/oauth2/userinfo", headers=headers, timeout=10).json()
    assert info["user_id"] == sandbox_org.rep_user.id and info["organization_id"] == sandbox_org.org_id
    assert info["preferred_username"] == sandbox_org.rep_user.username
    assert info["urls"]["rest"] == f"{sandbox.url}/services/data/v{{version}}/"
    ident = requests.get(tokens["id"], headers=headers, params={"version": "62.0"}, timeout=10).json()
    assert ident["username"] == sandbox_org.rep_user.username
    assert ident["urls"]["rest"] == f"{sandbox.url}/services/data/v62.0/"
    denied = requests.get(tokens["id"], headers={"Authorization": "Bearer bad"}, timeout=10)
    assert denied.status_code == 403
