"""Calls to Salesforce's OAuth endpoints: authorize URL, token exchange, refresh, client credentials, revoke.

Salesforce sends no `expires_in`; access tokens live as long as the org's session timeout. We refresh on
401 INVALID_SESSION_ID instead of guessing an expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode, urlparse

import requests
from django.conf import settings

from integrations.errors import FailWithReason, IntegrationError, RetryLater
from integrations.http import DEFAULT_TIMEOUT, new_session
from integrations.providers.salesforce.errors import oauth_error
from integrations.providers.salesforce.ids import parse_identity_url

_session = new_session()


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    refresh_token: str
    instance_url: str
    org_id: str
    user_id: str
    identity_url: str
    scope: str
    issued_at: datetime | None

    @classmethod
    def from_json(cls, body: dict) -> TokenResponse:
        try:
            org_id, user_id = parse_identity_url(body["id"])
            issued_at = datetime.fromtimestamp(int(body["issued_at"]) / 1000, tz=UTC) if body.get("issued_at") else None
            return cls(
                access_token=body["access_token"],
                refresh_token=body.get("refresh_token", ""),
                instance_url=body["instance_url"].rstrip("/"),
                org_id=org_id,
                user_id=user_id,
                identity_url=body["id"],
                scope=body.get("scope", ""),
                issued_at=issued_at,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise FailWithReason(
                "Salesforce answered the token request with an unexpected body.", code="BAD_TOKEN_RESPONSE"
            ) from exc


def new_pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(
    *,
    login_url: str,
    client_id: str,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    scope: str | None = None,
    prompt: str = "login consent",
    login_hint: str = "",
) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope or settings.SALESFORCE_SCOPES,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "prompt": prompt,
    }
    if login_hint:
        params["login_hint"] = login_hint
    return f"{login_url.rstrip('/')}/services/oauth2/authorize?{urlencode(params)}"


def _no_login_server(url: str) -> str:
    # One message for "nothing answered" and "something that is not Salesforce answered": two would tell whoever
    # types the URL whether a port is open on that host.
    return f"Could not reach Salesforce's login server at {_host(url)}. Check the URL, or try again shortly."


def _post_token(url: str, data: dict) -> dict:
    try:
        response = _session.post(url, data=data, timeout=DEFAULT_TIMEOUT, headers={"Accept": "application/json"})
    except requests.Timeout as exc:
        raise RetryLater("Salesforce's login server did not answer in time.", code="TIMEOUT") from exc
    except requests.RequestException as exc:
        raise RetryLater(_no_login_server(url), code="CONNECTION_ERROR") from exc
    if response.status_code >= 500:
        raise RetryLater(
            f"Salesforce's login server answered HTTP {response.status_code}. Try again shortly.",
            code=f"HTTP_{response.status_code}",
            status=response.status_code,
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise RetryLater(_no_login_server(url), code="CONNECTION_ERROR", status=response.status_code) from exc
    if response.status_code != 200 or "error" in body:
        raise oauth_error(
            body.get("error", f"HTTP_{response.status_code}"),
            body.get("error_description", ""),
            status=response.status_code,
        )
    return body


def _host(url: str) -> str:
    return urlparse(url).netloc or url


def _token_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/services/oauth2/token"


def _verify_signature(body: dict, client_secret: str) -> None:
    """Salesforce signs `id` + `issued_at` with the consumer secret; a mismatch means the answer was altered."""
    signature = body.get("signature")
    if not signature or not body.get("id") or not body.get("issued_at"):
        return
    expected = base64.b64encode(
        hmac.new(client_secret.encode(), (body["id"] + str(body["issued_at"])).encode(), hashlib.sha256).digest()
    ).decode()
    if not hmac.compare_digest(expected, signature):
        raise FailWithReason(
            "Salesforce's answer did not carry a valid signature for this consumer secret.", code="BAD_SIGNATURE"
        )


def exchange_code(
    *, login_url: str, code: str, code_verifier: str, redirect_uri: str, client_id: str, client_secret: str
) -> TokenResponse:
    body = _post_token(
        _token_url(login_url),
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    _verify_signature(body, client_secret)
    return TokenResponse.from_json(body)


def refresh(*, login_url: str, refresh_token: str, client_id: str, client_secret: str) -> TokenResponse:
    body = _post_token(
        _token_url(login_url),
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    _verify_signature(body, client_secret)
    return TokenResponse.from_json(body)


def client_credentials(*, instance_url: str, client_id: str, client_secret: str) -> TokenResponse:
    # Client credentials must go to the org's My Domain (login./test. answer "request not supported on this domain").
    body = _post_token(
        _token_url(instance_url),
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    _verify_signature(body, client_secret)
    return TokenResponse.from_json(body)


def revoke(*, login_url: str, token: str) -> None:
    """Best effort: a token Salesforce no longer knows is as good as revoked."""
    try:
        response = _session.post(
            f"{login_url.rstrip('/')}/services/oauth2/revoke", data={"token": token}, timeout=DEFAULT_TIMEOUT
        )
    except requests.RequestException as exc:
        raise RetryLater("Could not reach Salesforce to revoke the token.", code="CONNECTION_ERROR") from exc
    if response.status_code >= 500:
        raise RetryLater(
            f"Salesforce answered HTTP {response.status_code} while revoking the token.",
            code=f"HTTP_{response.status_code}",
            status=response.status_code,
        )


def identity(*, identity_url: str, access_token: str) -> dict:
    """The identity URL's answer: `username`, `display_name`, `organization_id`, `user_id`, `urls`..."""
    try:
        response = _session.get(
            identity_url,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=DEFAULT_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise RetryLater("Could not reach Salesforce for the user's details.", code="CONNECTION_ERROR") from exc
    if response.status_code >= 500:
        raise RetryLater(
            f"Salesforce answered HTTP {response.status_code} for the user's details. Try again shortly.",
            code=f"HTTP_{response.status_code}",
            status=response.status_code,
        )
    if response.status_code != 200:
        raise FailWithReason(
            f"Salesforce refused to tell us who signed in (HTTP {response.status_code}).",
            code=f"HTTP_{response.status_code}",
            status=response.status_code,
        )
    try:
        return response.json()
    except ValueError as exc:
        raise FailWithReason("Salesforce answered the identity request with an unexpected body.") from exc


def userinfo(*, login_url: str, access_token: str) -> dict:
    try:
        response = _session.get(
            f"{login_url.rstrip('/')}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=DEFAULT_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise RetryLater("Could not reach Salesforce for the user's details.", code="CONNECTION_ERROR") from exc
    if response.status_code != 200:
        raise IntegrationError(
            f"Salesforce answered HTTP {response.status_code} for userinfo.",
            code=f"HTTP_{response.status_code}",
            status=response.status_code,
        )
    return response.json()
