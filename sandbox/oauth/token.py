"""``/services/oauth2/token``: authorization_code (PKCE), refresh_token (optional rotation), client_credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any

from sandbox.errors import OAuthError
from sandbox.http import Request, Response, json_response
from sandbox.oauth.common import (
    CODE_TTL_S,
    NOT_APPROVED,
    b64url,
    find_app,
    identity_url,
)
from sandbox.state import ExternalClientApp, Org, RefreshGrant, State, Token, User

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def token(app: SandboxApp, req: Request) -> Response:
    try:
        if req.method != "POST":
            raise OAuthError("invalid_request", "must use HTTP POST")
        form = req.form()
        client_id, client_secret = _client_credentials(req, form)
        grant_type = form.get("grant_type")
        with app.state.lock:
            if grant_type == "authorization_code":
                body = _grant_code(app, form, client_id, client_secret)
            elif grant_type == "refresh_token":
                body = _grant_refresh(app, form, client_id, client_secret)
            elif grant_type == "client_credentials":
                body = _grant_client_credentials(app, client_id, client_secret)
            else:
                raise OAuthError("unsupported_grant_type", "grant type not supported")
    except OAuthError as exc:
        return json_response(exc.status, {"error": exc.error, "error_description": exc.description})
    return json_response(200, body)


def _client_credentials(req: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    auth = req.header("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "invalid client credentials") from None
        key, _, secret = decoded.partition(":")
        return key, secret
    return form.get("client_id"), form.get("client_secret")


def _check_client(state: State, client_id: str | None, secret: str | None, *, secret_optional: bool = False):
    found = find_app(state, client_id)
    if found is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    _org, eca = found
    if secret is None and secret_optional:
        return eca
    if not secret or not hmac.compare_digest(eca.consumer_secret, secret):
        raise OAuthError("invalid_client", "invalid client credentials")
    return eca


def _grant_code(app: SandboxApp, form: dict[str, str], client_id: str | None, secret: str | None) -> dict:
    state = app.state
    verifier = form.get("code_verifier")
    eca = _check_client(state, client_id, secret, secret_optional=bool(verifier))
    code = state.codes.get(form.get("code") or "")
    if (
        code is None
        or code.used
        or code.client_id != eca.consumer_key
        or state.clock.time() - code.issued_at > CODE_TTL_S
    ):
        raise OAuthError("invalid_grant", "invalid authorization code")
    if (form.get("redirect_uri") or "") != code.redirect_uri:
        raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
    if code.code_challenge:
        if not verifier:
            raise OAuthError("invalid_grant", "invalid code verifier")
        expected = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        if not hmac.compare_digest(expected, code.code_challenge):
            raise OAuthError("invalid_request", "invalid code verifier")
    code.used = True
    org, user = state.orgs[code.org_id], state.orgs[code.org_id].users[code.user_id]
    _check_user(org, user)
    return token_response(app, org, user, eca, code.scopes, with_refresh=True)


def _check_user(org: Org, user: User) -> None:
    if not user.is_active:
        raise OAuthError("inactive_user", "user is inactive")
    if not org.api_enabled or not org.profile_of(user).api_enabled:
        raise OAuthError(*NOT_APPROVED)


def _grant_refresh(app: SandboxApp, form: dict[str, str], client_id: str | None, secret: str | None) -> dict:
    state = app.state
    eca = _check_client(state, client_id, secret)
    grant = state.refresh_tokens.get(form.get("refresh_token") or "")
    if grant is None or grant.revoked or grant.client_id != eca.consumer_key:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    org = state.orgs.get(grant.org_id)
    user = org.users.get(grant.user_id) if org else None
    if org is None or user is None:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    if not user.is_active:  # what Salesforce answers a refresh for a deactivated user
        raise OAuthError("invalid_grant", "inactive user")
    _check_user(org, user)
    if org.refresh_token_rotation:
        grant.revoked = True
        return token_response(app, org, user, eca, grant.scopes, with_refresh=True, revoke_old_access=False)
    return token_response(app, org, user, eca, grant.scopes, with_refresh=False, refresh_value=grant.value)


def _grant_client_credentials(app: SandboxApp, client_id: str | None, secret: str | None) -> dict:
    state = app.state
    eca = _check_client(state, client_id, secret)
    org, _ = find_app(state, eca.consumer_key)  # type: ignore[misc]
    user = org.users.get(eca.client_credentials_user_id or "")
    if user is None:
        raise OAuthError("invalid_grant", "no client credentials user enabled")
    _check_user(org, user)
    return token_response(app, org, user, eca, "api", with_refresh=False)


def token_response(
    app: SandboxApp,
    org: Org,
    user: User,
    eca: ExternalClientApp,
    scopes: str,
    *,
    with_refresh: bool,
    refresh_value: str | None = None,
    revoke_old_access: bool = False,
) -> dict[str, Any]:
    state = app.state
    issued = state.clock.time()
    access = org.id[:15] + "!" + secrets.token_urlsafe(72).replace("-", ".")
    scope_list = scopes.split()
    refresh = refresh_value
    if with_refresh and ("refresh_token" in scope_list or "offline_access" in scope_list):
        refresh = "5Aep861" + secrets.token_urlsafe(60).replace("-", ".")
        state.refresh_tokens[refresh] = RefreshGrant(refresh, org.id, user.id, scopes, eca.consumer_key)
    state.tokens[access] = Token(access, org.id, user.id, issued, scopes, eca.consumer_key, refresh_token=refresh)
    issued_ms = str(int(issued * 1000))
    identity = identity_url(app.base_url, org, user)
    signature = base64.b64encode(
        hmac.new(eca.consumer_secret.encode(), (identity + issued_ms).encode(), hashlib.sha256).digest()
    ).decode()
    body: dict[str, Any] = {"access_token": access}
    if with_refresh and refresh and refresh != refresh_value:
        body["refresh_token"] = refresh
    body.update(signature=signature, scope=scopes)
    if "openid" in scope_list:
        body["id_token"] = _id_token(app, org, user, eca, int(issued))
    body.update(instance_url=app.base_url, id=identity, token_type="Bearer", issued_at=issued_ms)
    return body


def _id_token(app: SandboxApp, org: Org, user: User, eca: ExternalClientApp, issued: int) -> str:
    header = {"kid": "sandbox", "typ": "JWT", "alg": "HS256"}
    claims = {
        "at_hash": b64url(secrets.token_bytes(16)),
        "sub": identity_url(app.base_url, org, user),
        "aud": eca.consumer_key,
        "iss": app.base_url,
        "exp": issued + 300,
        "iat": issued,
    }
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    sig = hmac.new(eca.consumer_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(sig)}"
