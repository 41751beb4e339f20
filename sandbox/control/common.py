"""Helpers shared by the control handlers: body parsing and org/user lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import orgs
from sandbox.errors import ControlError
from sandbox.http import Request
from sandbox.state import Org, User

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def body_of(req: Request) -> dict[str, Any]:
    try:
        data = req.json()
    except ValueError as exc:
        raise ControlError(f"malformed JSON: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError("the request body must be a JSON object")
    return data


def org_of(app: SandboxApp, key: Any) -> Org:
    if not isinstance(key, str) or not key:
        raise ControlError("'org' (org id or name) is required")
    org = app.state.org(key)
    if org is None:
        raise ControlError(f"no org {key!r}", status=404)
    return org


def user_of(org: Org, key: Any, default_role: str = "admin") -> User:
    if key is None:
        user = next((u for u in org.users.values() if u.role == default_role), None) or next(iter(org.users.values()))
        return user
    for u in org.users.values():
        if key in (u.id, u.username) or (isinstance(key, str) and key[:15] == u.id[:15]):
            return u
    raise ControlError(f"no user {key!r} in org {org.name!r}", status=404)


def summary(app: SandboxApp, org: Org) -> dict[str, Any]:
    return orgs.org_summary(org, app.base_url, app.state.clock.time())
