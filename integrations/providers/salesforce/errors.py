"""Salesforce error responses mapped to our three outcomes, with messages a person can act on."""

from __future__ import annotations

import json

import requests

from integrations.errors import ApiLimitReached, FailWithReason, IntegrationError, ReconnectRequired, RetryLater

TRANSIENT_CODES = frozenset(
    {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "QUERY_TIMEOUT", "REQUEST_RUNNING_TOO_LONG", "TXN_SECURITY_FAILURE"}
)
TRANSIENT_STATUSES = frozenset({406, 420, 429, 500, 502, 503, 504})


class SessionExpired(IntegrationError):
    """401 INVALID_SESSION_ID: refresh the access token once, then replay."""


def parse_error_body(response: requests.Response) -> tuple[str, str, list[str]]:
    """(errorCode, message, fields) from any Salesforce error body: data API list, OAuth dict, or text/HTML."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        text = (response.text or "").strip()
        return "", text[:300] or response.reason or f"HTTP {response.status_code}", []
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        code = first.get("errorCode") or first.get("statusCode") or ""
        return code, first.get("message", ""), list(first.get("fields") or [])
    if isinstance(body, dict):
        if "error" in body:
            return body.get("error", ""), body.get("error_description", ""), []
        if "errorCode" in body:
            return body["errorCode"], body.get("message", ""), list(body.get("fields") or [])
    return "", str(body)[:300], []


def error_from_response(response: requests.Response) -> IntegrationError:
    status = response.status_code
    code, message, fields = parse_error_body(response)
    if status == 401 or code == "INVALID_SESSION_ID":
        return SessionExpired(message or "Session expired or invalid", code=code or "INVALID_SESSION_ID", status=status)
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "Concurrent" in message:  # the concurrent long-request limit: the server's own wait, else half a minute
            return RetryLater(message, code=code, status=status, retry_after=_retry_after(response) or 30)
        return ApiLimitReached(
            "The Salesforce org has used its daily API request allocation. Work resumes when budget frees up.",
            code=code,
            status=status,
            retry_after=900,
        )
    if code in TRANSIENT_CODES or status in TRANSIENT_STATUSES:
        retry_after = _retry_after(response)
        return RetryLater(
            message or f"Salesforce answered HTTP {status}.",
            code=code or f"HTTP_{status}",
            status=status,
            retry_after=retry_after,
            fields=fields,
        )
    if code in {"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED"}:
        return FailWithReason(
            "API access is disabled for this Salesforce user or org. In Setup, give the user a profile or "
            "permission set with “API Enabled”.",
            code=code,
            status=status,
        )
    return FailWithReason(
        message or f"Salesforce answered HTTP {status}.", code=code or f"HTTP_{status}", status=status, fields=fields
    )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


# OAuth token-endpoint errors, translated into guidance a Salesforce admin can act on.
OAUTH_GUIDANCE = {
    "invalid_grant": "Salesforce refused the authorization (revoked or expired token, password policy, IP "
    "restrictions, or a code that was already used). Reconnect to authorize again.",
    "invalid_client_id": "Salesforce does not know this consumer key. Check the External Client App's consumer key.",
    "invalid_client": "Salesforce rejected the consumer secret. Copy the secret from the External Client App again.",
    "redirect_uri_mismatch": "The callback URL is not registered on the External Client App. Add the callback URL "
    "shown on this page to the app's OAuth settings.",
    "access_denied": "The Salesforce user declined to allow access. Connect again and choose Allow.",
    "OAUTH_APPROVAL_ERROR_GENERIC": "Salesforce blocked the approval before the consent screen. An admin must install "
    "the External Client App in the org (Setup › Connected Apps OAuth Usage › Install) and let this user's profile "
    "or permission set use it; the user also needs “API Enabled”.",
    "unsupported_grant_type": "This org's app does not allow this kind of login (for client credentials, enable "
    "the Client Credentials Flow and set a Run As user on the External Client App).",
    "invalid_request": "Salesforce rejected the request as malformed. Check the login URL and try again.",
    "inactive_user": "This Salesforce user is deactivated. Reactivate the user in Setup › Users, or connect as "
    "another user.",
    "inactive_org": "This Salesforce org is inactive or locked. Check the org's status with its administrator.",
    "rate_limit_exceeded": "Salesforce is throttling logins for this user. Wait a few minutes and try again.",
    "unsupported_response_type": "The External Client App does not allow the authorization-code flow. Enable "
    "OAuth settings with this callback URL on the app.",
    "invalid_scope": "The External Client App does not allow the scopes we ask for. Add the scopes shown on this "
    "page (Selected OAuth Scopes) to the app.",
}


def oauth_error(code: str, description: str = "", *, status: int | None = None) -> IntegrationError:
    lowered = (description or "").lower()
    if "ip" in lowered and ("restrict" in lowered or "range" in lowered):
        message = (
            "Salesforce refused the login from this server's IP address. Relax the app's IP policy "
            "(“Relax IP restrictions”) or add this server to the org's trusted IP ranges."
        )
        return ReconnectRequired(message, code=code, status=status)
    if "app must be installed" in lowered or "approval" in lowered:
        return FailWithReason(OAUTH_GUIDANCE["OAUTH_APPROVAL_ERROR_GENERIC"], code=code, status=status)
    guidance = OAUTH_GUIDANCE.get(code)
    text = guidance or f"Salesforce refused the login: {description or code}."
    if description and guidance and description not in guidance:
        text = f"{guidance} (Salesforce said: {description})"
    if code == "invalid_grant":
        return ReconnectRequired(text, code=code, status=status)
    return FailWithReason(text, code=code, status=status)
