"""Control API: list, create, inspect, configure and delete orgs; add users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sandbox import orgs
from sandbox.clock import parse_datetime
from sandbox.control.common import body_of, org_of, summary, user_of
from sandbox.errors import ControlError
from sandbox.http import Request
from sandbox.state import EDITIONS

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def index(app: SandboxApp, req: Request) -> Any:
    with app.state.lock:
        listing = [summary(app, org) for org in app.state.orgs.values()]
    return {"base_url": app.base_url, "latency_ms": app.latency_ms, "orgs": listing}


def create_org(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    allowed = {"name", "edition", "licenses", "users", "callback_urls", "session_timeout_s", "refresh_token_rotation",
               "require_pkce", "api_limit", "consumer_key", "consumer_secret",
               "bulk_polls_before_complete"}  # fmt: skip
    unknown = set(body) - allowed
    if unknown:
        raise ControlError(f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    users = body.get("users")
    user_keys = {"username", "password", "first_name", "last_name", "email", "profile", "role", "is_active"}
    if users is not None and (
        not isinstance(users, list) or not all(isinstance(u, dict) and not set(u) - user_keys for u in users)
    ):
        raise ControlError(f"'users' must be a list of objects with keys from {sorted(user_keys)}")
    try:
        org = orgs.create_org(app.state, **body)
    except TypeError as exc:
        raise ControlError(f"bad org parameters: {exc}") from None
    return 201, summary(app, org)


def get_org(app: SandboxApp, req: Request, org: str) -> Any:
    return summary(app, org_of(app, org))


def delete_org(app: SandboxApp, req: Request, org: str) -> Any:
    found = org_of(app, org)
    with app.state.lock:
        app.state.orgs.pop(found.id, None)
    return {"deleted": found.id}


def org_settings(app: SandboxApp, req: Request, org: str) -> Any:
    found = org_of(app, org)
    body = body_of(req)
    state = app.state
    with found.lock:
        try:
            for key, value in body.items():
                if key == "session_timeout_s":
                    found.session_timeout_s = max(1, int(value))
                elif key == "refresh_token_rotation":
                    found.refresh_token_rotation = bool(value)
                elif key == "api_limit":
                    found.api_limit = int(value)
                elif key == "bulk_polls_before_complete":  # jobs created from now on
                    found.bulk_polls_before_complete = orgs.bulk_polls_setting(value)
                elif key == "api_used":
                    found.api.set(int(value), state.clock.time())
                elif key == "edition":
                    if value not in EDITIONS:
                        raise ControlError(f"unknown edition {value!r}")
                    found.edition = value
                    base, per = EDITIONS[value]
                    found.api_limit = base + per * found.licenses
                    orgs.organization_row_write(state, found)
                elif key == "require_pkce":
                    found.app.require_pkce = bool(value)
                elif key == "callback_urls":
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise ControlError("'callback_urls' must be a list of URLs")
                    found.app.callback_urls = list(value)
                elif key == "is_sandbox":  # what SELECT IsSandbox FROM Organization answers
                    found.records["Organization"][found.id]["IsSandbox"] = bool(value)
                elif key == "api_enabled":
                    found.api_enabled = bool(value)
                elif key == "deleted_log_start":  # getDeleted's earliestDateAvailable; older deletes purged
                    start = parse_datetime(value) if isinstance(value, str) else None
                    if start is None:
                        raise ControlError("'deleted_log_start' must be an ISO datetime (2024-05-01T10:00:00Z)")
                    orgs.deleted_log_start_set(found, start)
                elif key == "client_credentials_user":
                    found.app.client_credentials_user_id = None if value is None else user_of(found, value).id
                else:
                    raise ControlError(f"unknown setting {key!r}")
        except (TypeError, ValueError):
            raise ControlError("settings values have the wrong type") from None
    return summary(app, found)


def create_user(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    org = org_of(app, body.pop("org", None))
    allowed = {"username", "password", "first_name", "last_name", "email", "profile", "role", "is_active"}
    if set(body) - allowed:
        raise ControlError(f"unknown keys {sorted(set(body) - allowed)}; allowed: {sorted(allowed)}")
    with org.lock:
        user = orgs.add_user(app.state, org, **body)
    return 201, orgs.user_summary(org, user)


def update_user(app: SandboxApp, req: Request, user: str) -> Any:
    """``POST``/``PATCH /_sandbox/users/<id or username>`` ``{"is_active": false}``: deactivate (or change) a user."""
    body = body_of(req)
    user = unquote(user)
    org_key = body.pop("org", None)
    candidates = [org_of(app, org_key)] if org_key else list(app.state.orgs.values())
    for org in candidates:
        try:
            found = user_of(org, user)
        except ControlError:
            continue
        with org.lock:
            orgs.user_update(app.state, org, found, **body)
        return orgs.user_summary(org, found)
    raise ControlError(f"no user {user!r}", status=404)
