"""OAuth pieces shared by the endpoints: constants, app and user lookup, token validation."""

from __future__ import annotations

import base64
import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from sandbox.http import Request
from sandbox.state import ExternalClientApp, Org, State, Token, User

if TYPE_CHECKING:
    pass

CODE_TTL_S = 15 * 60
TICKET_TTL_S = 10 * 60
SID_COOKIE = "sandbox_sid"
AUTHORIZE_PARAMS = (
    "response_type", "client_id", "redirect_uri", "scope", "state", "prompt", "code_challenge",
    "code_challenge_method", "login_hint", "display", "nonce",
)  # fmt: skip
APPROVAL_ERROR = (
    "OAUTH_APPROVAL_ERROR_GENERIC",
    "An unexpected error occurred during authentication. Please try again.",
)
NOT_APPROVED = ("invalid_grant", "user hasn't approved this consumer")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def find_app(state: State, client_id: str | None) -> tuple[Org, ExternalClientApp] | None:
    if not client_id:
        return None
    for org in state.orgs.values():
        if hmac.compare_digest(org.app.consumer_key, client_id):
            return org, org.app
    return None


def find_user(state: State, username: str) -> tuple[Org, User] | None:
    for org in state.orgs.values():
        user = org.user_by_username(username)
        if user is not None:
            return org, user
    return None


def token_user(state: State, token: Token) -> tuple[Org, User] | None:
    org = state.orgs.get(token.org_id)
    user = org.users.get(token.user_id) if org else None
    return (org, user) if org and user else None


def valid_token(state: State, value: str | None) -> Token | None:
    """The live access token for ``value`` (expired, revoked and unknown tokens give None)."""
    if not value:
        return None
    token = state.tokens.get(value)
    if token is None or token.revoked:
        return None
    org = state.orgs.get(token.org_id)
    if org is None or state.clock.time() - token.issued_at >= org.session_timeout_s:
        return None
    user = org.users.get(token.user_id)
    if user is None or not user.is_active:  # deactivating a user ends their sessions
        return None
    if token.refresh_token and (grant := state.refresh_tokens.get(token.refresh_token)) and grant.revoked:
        # Revoking a refresh token kills the access tokens issued from it.
        return None
    return token


def bearer(req: Request) -> str | None:
    auth = req.header("authorization") or ""
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return req.arg("oauth_token")


def with_query(url: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def identity_url(base: str, org: Org, user: User) -> str:
    return f"{base}/id/{org.id}/{user.id}"
