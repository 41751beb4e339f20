"""``/services/oauth2/revoke``, ``/services/oauth2/userinfo`` and the identity URL ``/id/{org}/{user}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import ids
from sandbox.http import Request, Response, json_response, text_response
from sandbox.oauth.common import (
    bearer,
    identity_url,
    token_user,
    valid_token,
)
from sandbox.state import Org, User

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def revoke(app: SandboxApp, req: Request) -> Response:
    state = app.state
    value = (req.form().get("token") if req.method == "POST" else None) or req.arg("token")
    with state.lock:
        access = state.tokens.get(value or "")
        grant = state.refresh_tokens.get(value or "")
        if access is None and grant is None:
            return json_response(
                400, {"error": "unsupported_token_type", "error_description": "this token type is not supported"}
            )
        if access is not None:
            access.revoked = True
        if grant is not None:
            grant.revoked = True
    return Response(200, b"")


def identity_body(app: SandboxApp, org: Org, user: User) -> dict[str, Any]:
    base = app.base_url
    return {
        "id": identity_url(base, org, user),
        "asserted_user": True,
        "user_id": user.id,
        "organization_id": org.id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.name,
        "email": user.email,
        "email_verified": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "America/Los_Angeles",
        "photos": {"picture": f"{base}/profilephoto/005/F", "thumbnail": f"{base}/profilephoto/005/T"},
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "urls": {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org.id[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org.id[:15]}",
            "rest": f"{base}/services/data/v{{version}}/",
            "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
            "search": f"{base}/services/data/v{{version}}/search/",
            "query": f"{base}/services/data/v{{version}}/query/",
            "limits": f"{base}/services/data/v{{version}}/limits/",
            "profile": f"{base}/{user.id}",
        },
        "is_app_installed": True,
        "last_modified_date": "2024-01-01T00:00:00Z",
    }


def _authenticated(app: SandboxApp, req: Request) -> tuple[Org, User] | None:
    token_obj = valid_token(app.state, bearer(req))
    return token_user(app.state, token_obj) if token_obj else None


def identity(app: SandboxApp, req: Request, org_id: str, user_id: str) -> Response:
    found = _authenticated(app, req)
    if found is None:
        return text_response(403, "Bad_OAuth_Token")
    org, _caller = found
    user = org.users.get(ids.normalize(user_id) or "")  # the 15-character forms are accepted too
    if org.id[:15] != org_id[:15] or user is None:
        return text_response(404, "Bad_Id")
    body = identity_body(app, org, user)
    version = req.arg("version")
    if version:
        body["urls"] = {k: v.replace("{version}", version.lstrip("v")) for k, v in body["urls"].items()}
    return json_response(200, body)


def userinfo(app: SandboxApp, req: Request) -> Response:
    found = _authenticated(app, req)
    if found is None:
        return text_response(403, "Bad_OAuth_Token")
    org, user = found
    ident = identity_body(app, org, user)
    return json_response(
        200,
        {
            "sub": ident["id"],
            "user_id": user.id,
            "organization_id": org.id,
            "preferred_username": user.username,
            "nickname": ident["nick_name"],
            "name": user.name,
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "America/Los_Angeles",
            "photos": ident["photos"],
            "profile": ident["urls"]["profile"],
            "picture": ident["photos"]["picture"],
            "address": {"country": "US"},
            "is_salesforce_integration_user": False,
            "urls": ident["urls"],
            "active": user.is_active,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28800000,
            "updated_at": "2024-01-01T00:00:00Z",
            "is_app_installed": True,
        },
    )
