"""``/services/oauth2/authorize``: the login page, the consent page, and the redirect with a code or error."""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING

from sandbox import pages
from sandbox.http import Request, Response, html_response, redirect
from sandbox.oauth.common import (
    APPROVAL_ERROR,
    AUTHORIZE_PARAMS,
    SID_COOKIE,
    find_app,
    find_user,
    with_query,
)
from sandbox.state import AuthCode, Org, State, User

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def authorize(app: SandboxApp, req: Request) -> Response:
    state = app.state
    params = req.form() if req.method == "POST" else {k: v[0] for k, v in req.query.items()}
    oauth = {k: params.get(k) for k in AUTHORIZE_PARAMS if params.get(k) is not None}
    found = find_app(state, oauth.get("client_id"))
    if found is None:
        return html_response(400, pages.error_page("invalid_client_id", "client identifier invalid"))
    _home, eca = found
    redirect_uri = oauth.get("redirect_uri") or ""
    if not eca.redirect_allowed(redirect_uri):
        return html_response(400, pages.error_page("redirect_uri_mismatch", "redirect_uri must match configuration"))

    def back(**values: str | None) -> Response:
        return redirect(with_query(redirect_uri, {**values, "state": oauth.get("state")}))

    if oauth.get("response_type") != "code":
        return back(error="unsupported_response_type", error_description="response type not supported")
    method = oauth.get("code_challenge_method")
    if oauth.get("code_challenge") and method not in (None, "S256"):
        return back(error="invalid_request", error_description="invalid code_challenge_method")
    if eca.require_pkce and not oauth.get("code_challenge"):
        return back(error="invalid_request", error_description="missing required code challenge")

    action = params.get("action") if req.method == "POST" else None
    force_login = "login" in (oauth.get("prompt") or "").split()
    with state.lock:
        if action == "login":
            return _login(app, req, oauth, params, back)
        if action in ("approve", "deny"):
            ticket = state.browser_sessions.get("ticket:" + (params.get("ticket") or ""))
            if ticket is None:
                return html_response(200, pages.login_page(oauth, error="Your session has expired. Log in again."))
            org_id, user_id = ticket
            state.browser_sessions.pop("ticket:" + params["ticket"], None)
            if action == "deny":
                return back(error="access_denied", error_description="end-user denied authorization")
            org = state.orgs[org_id]
            org.consents.add((user_id, eca.consumer_key))
            return back(code=_issue_code(state, org, org.users[user_id], oauth))
        session = _browser_session(req, state)
        if session is not None and not force_login:
            org, user = session
            return _after_login(app, org, user, oauth, back)
        return html_response(200, pages.login_page(oauth, username=oauth.get("login_hint") or ""))


def _browser_session(req: Request, state: State) -> tuple[Org, User] | None:
    for part in (req.header("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SID_COOKIE:
            found = state.browser_sessions.get(value)
            if found:
                org = state.orgs.get(found[0])
                user = org.users.get(found[1]) if org else None
                if org and user and user.is_active:
                    return org, user
    return None


def _login(app: SandboxApp, req: Request, oauth: dict, params: dict, back) -> Response:
    state = app.state
    username = (params.get("username") or "").strip()
    found = find_user(state, username) if username else None
    password = params.get("password") or ""
    if found is None or not hmac.compare_digest(found[1].password, password) or not found[1].is_active:
        return html_response(
            200,
            pages.login_page(
                oauth,
                username=username,
                error="Please check your username and password. If you still can't log "
                "in, contact your Salesforce administrator.",
            ),
        )
    org, user = found
    sid = secrets.token_urlsafe(24)
    state.browser_sessions[sid] = (org.id, user.id)
    response = _after_login(app, org, user, oauth, back)
    response.headers.append(("Set-Cookie", f"{SID_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"))
    return response


def _after_login(app: SandboxApp, org: Org, user: User, oauth: dict, back) -> Response:
    state = app.state
    if not org.api_enabled or not org.profile_of(user).api_enabled:
        return back(error=APPROVAL_ERROR[0], error_description=APPROVAL_ERROR[1])
    prompts = (oauth.get("prompt") or "").split()
    consumer_key = oauth["client_id"]
    if (user.id, consumer_key) in org.consents and "consent" not in prompts:
        return back(code=_issue_code(state, org, user, oauth))
    ticket = secrets.token_urlsafe(24)
    state.browser_sessions["ticket:" + ticket] = (org.id, user.id)
    return html_response(200, pages.consent_page(oauth, ticket=ticket, username=user.username, org_name=org.name))


def _issue_code(state: State, org: Org, user: User, oauth: dict) -> str:
    code = "aPrx" + secrets.token_urlsafe(40)
    state.codes[code] = AuthCode(
        value=code,
        org_id=org.id,
        user_id=user.id,
        client_id=oauth["client_id"],
        redirect_uri=oauth.get("redirect_uri") or "",
        scopes=oauth.get("scope") or "api refresh_token id openid",
        code_challenge=oauth.get("code_challenge"),
        code_challenge_method=oauth.get("code_challenge_method") or ("S256" if oauth.get("code_challenge") else None),
        issued_at=state.clock.time(),
    )
    return code
