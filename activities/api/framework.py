"""The /api/v1 framework on django-ninja: one error shape, bearer keys with scopes, our own body limit and JSON
checks, and every answer JSON (404, 405, 413 and 500 included).

Each app adds a `ninja.Router` (events here, actions in `actions/api.py`); `config/urls.py` composes them with
`api_build`. Request and response bodies are pydantic schemas, so `/api/v1/openapi.json` and the reference page
(`/api/v1/docs`) describe exactly what the code accepts.

The error body is the one clients already parse: `{"error": {"code", "message", "items"?}}`.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from activities.services.keys import api_key_authenticate
from activities.services.validation import MAX_BATCH, MAX_EVENT_BYTES

# The largest valid batch, plus room for `{"events": [...]}` and whitespace between events. Read by the API itself
# (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, stays the limit for the HTML forms) and only after the key is checked,
# so nobody without a key makes the server buffer this much. README's events API section states it.
MAX_BODY_BYTES = MAX_BATCH * MAX_EVENT_BYTES + 64 * 1024
# Events are four levels deep; anything much deeper is not an event, and 10,000 levels exhaust Python's stack.
MAX_JSON_DEPTH = 32

SCOPES = {
    "events:write": "Send events (activities, prospects, enrollments, opt-outs)",
    "actions:write": "Run actions that write to Salesforce (create_task, update_opportunity, log_meeting)",
    "records:read": "Read Salesforce records (query_records)",
    "scores:write": "Write scores to Account fields",
}
"""What a key may do, chosen when an admin creates it."""


class ApiError(Exception):
    """Raised anywhere under the API; answered in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, items: list | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.items, self.headers = status, code, message, items, headers or {}


def error_response(status: int, code: str, message: str, items: list | None = None, **extra) -> JsonResponse:
    body: dict = {"error": {"code": code, "message": message, **extra}}
    if items is not None:
        body["error"]["items"] = items
    return JsonResponse(body, status=status)


def too_large_error() -> ApiError:
    message = (
        f"The body is larger than {MAX_BODY_BYTES:,} bytes; nothing was stored. "
        f"Send at most {MAX_BATCH:,} events of up to {MAX_EVENT_BYTES // 1024} KiB each."
    )
    return ApiError(413, "payload_too_large", message)


def _read_body(request) -> bytes:
    # Not request.body: that applies DATA_UPLOAD_MAX_MEMORY_SIZE and raises into Django's HTML 400 page.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise too_large_error()
    body = request.read(MAX_BODY_BYTES + 1)  # the stream stops at Content-Length; this stops a lying one
    if len(body) > MAX_BODY_BYTES:
        raise too_large_error()
    return body


def json_parse(body: bytes):
    """The body as JSON, or an ApiError naming what is wrong with it (never a RecursionError or a 500)."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:  # also numbers of more than 4,300 digits
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from exc
    except RecursionError:
        too_deep = True
    else:
        too_deep = _deeper_than(data, MAX_JSON_DEPTH)
    if too_deep:
        raise ApiError(400, "json_too_deep", f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    return data


def _deeper_than(data, limit: int) -> bool:
    """Without recursion, so a deep document cannot overflow the stack while we measure it."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer <key>` (401), the key's scope (403), then the body read under our limit (413).

    The body is read here, after the key is known, and kept as `request.api_body` (and `request._body`, so
    ninja's own body parameters see it without Django's 2.5 MB form limit)."""

    openapi_description = "An API key created under Activity › API keys, with the scope the operation names."

    def __init__(self, scope: str | tuple[str, ...]):
        """`scope`: the one the operation needs, or a tuple of which any one will do."""
        super().__init__()
        self.scopes = (scope,) if isinstance(scope, str) else tuple(scope)
        assert all(s in SCOPES for s in self.scopes), scope
        self.scope = " or ".join(self.scopes)

    def __call__(self, request):
        key = super().__call__(request)
        if key is None:
            return None
        request.api_key = key
        request.workspace = key.workspace
        if not set(self.scopes) & set(key.scopes or []):
            needed = "; ".join(f"{s}: {SCOPES[s]}" for s in self.scopes)
            message = (
                f"This API key may not do this: it needs the “{self.scope}” scope ({needed}). "
                "An admin can create a key with it under Activity › API keys."
            )
            raise ApiError(403, "insufficient_scope", message)
        body = _read_body(request) if request.method in ("POST", "PUT", "PATCH") else b""
        request.api_body = request._body = body
        return key

    def authenticate(self, request, token):
        return api_key_authenticate(raw=token or "")


class _Parser(Parser):
    def parse_body(self, request):
        return json_parse(request.body)


class SwitchboardApi(NinjaAPI):
    extra_schemas: list = []
    """Models of bodies that views read themselves (events); listed in the description's components."""

    def get_content_type(self) -> str:
        return "application/json"  # as before ninja: clients compare the header as it was

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in self.extra_schemas:
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
        return schema


def _validation_items(errors: list[dict]) -> list[dict]:
    items = []
    for error in errors:
        loc = [str(p) for p in error.get("loc", ())]
        if loc[:2] == ["body", "data"]:  # every body parameter is named `data`: callers name fields, not it
            loc = loc[2:]
        elif loc[:1] and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        items.append({"field": ".".join(loc) or "body", "code": _code(error.get("type", "")),
                      "message": error.get("msg", "Invalid value.")})  # fmt: skip
    return items


_CODES = {"missing": "required", "extra_forbidden": "unknown_field", "string_too_long": "too_long",
          "literal_error": "invalid_choice", "enum": "invalid_choice"}  # fmt: skip


def _code(pydantic_type: str) -> str:
    if pydantic_type in _CODES:
        return _CODES[pydantic_type]
    if pydantic_type.endswith("_type") or pydantic_type.endswith("_parsing"):
        return "invalid_type"
    if pydantic_type.startswith(("greater", "less")):
        return "out_of_range"
    return pydantic_type or "invalid"


def not_found(request, *args, **kwargs) -> JsonResponse:
    return error_response(404, "not_found",
                          f"No API endpoint at {request.path}. See the API reference at /api/v1/docs.")  # fmt: skip


def bad_request(request, exception=None) -> JsonResponse:
    return error_response(400, "bad_request", "The request could not be read; nothing was stored.")


def server_error(request) -> JsonResponse:
    # Honest about what we know: the batch is one transaction, but the failure may have come after its commit.
    return error_response(500, "server_error",
                          "Something went wrong on our side. The request may or may not have been stored: send it "
                          "again with the same Idempotency-Key, and a request that was stored is answered from its "
                          "record, never stored twice.")  # fmt: skip


def _json_405(view):
    """ninja answers a wrong method with a text 405; ours is JSON and names the methods in `Allow`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allow = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip()))
            methods = " or ".join(m.strip() for m in allow.split(","))
            json_response = error_response(405, "method_not_allowed", f"Use {methods} on this path.")
            json_response["Allow"] = allow
            return json_response
        return response

    wrapped.csrf_exempt = True
    return wrapped


def api_build(routers: list) -> SwitchboardApi:
    """The one API object of /api/v1: `routers` are (prefix, ninja.Router) pairs from the apps."""
    api = SwitchboardApi(
        title="Switchboard API",
        version="1",
        description='Events in, actions out. Every error is `{"error": {"code", "message", "items"?}}`.',
        urls_namespace="api",
        parser=_Parser(),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @api.exception_handler(ApiError)
    def _api_error(request, exc: ApiError):
        response = error_response(exc.status, exc.code, exc.message, exc.items)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request, exc):
        return error_response(401, "unauthorized", "Send a valid API key as `Authorization: Bearer <key>`.")

    @api.exception_handler(ValidationError)
    def _invalid(request, exc: ValidationError):
        return error_response(400, "invalid_request", "The request does not match the API's schema; see items.",
                              _validation_items(exc.errors))  # fmt: skip

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        if exc.status_code == 400:  # ninja could not parse the body
            return error_response(400, "invalid_json", "The body is not valid JSON.")
        return error_response(exc.status_code, "error", str(exc))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return not_found(request)

    @api.exception_handler(Exception)
    def _crash(request, exc):
        raise exc  # Django logs it and answers with handler500: the API's JSON 500 (config/urls.py)

    for prefix, router in routers:
        api.add_router(prefix, router)
        api.extra_schemas = [*api.extra_schemas, *getattr(router, "extra_schemas", [])]
    return api


def api_urls(api: SwitchboardApi):
    """`api.urls` with every view answering a wrong method in JSON."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if hasattr(pattern, "callback"):
            pattern.callback = _json_405(pattern.callback)
    return patterns, app_name, namespace
