"""The versioned events API: bearer API key, optional Idempotency-Key, JSON in and out. No DRF needed.

Every answer, errors included, is JSON in one shape: `{"error": {"code", "message", "items"?}}`. Unknown paths,
wrong methods, oversized bodies and server errors too (the last two through the handlers in config/urls.py)."""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from activities.models import Activity, IdempotencyRecord
from activities.selectors import activity_status
from activities.services.ingest import EventsInvalid, events_ingest
from activities.services.keys import api_key_authenticate
from activities.services.validation import MAX_BATCH, MAX_EVENT_BYTES

# The largest valid batch, plus room for `{"events": [...]}` and whitespace between events. Read by the API itself
# (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, stays the limit for the HTML forms) and only after the key is checked,
# so nobody without a key makes the server buffer this much. README's events API section states it.
MAX_BODY_BYTES = MAX_BATCH * MAX_EVENT_BYTES + 64 * 1024
# Events are four levels deep; anything much deeper is not an event, and 10,000 levels exhaust Python's stack.
MAX_JSON_DEPTH = 32


def _error(status: int, code: str, message: str, items: list | None = None) -> JsonResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if items is not None:
        body["error"]["items"] = items
    return JsonResponse(body, status=status)


def api_view(*methods: str):
    """Method check (405 in JSON), bearer key (401), then the body read under the API's own limit (413)."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                response = _error(405, "method_not_allowed", f"Use {' or '.join(methods)} on this path.")
                response["Allow"] = ", ".join(methods)
                return response
            auth = request.headers.get("Authorization", "")
            raw = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            key = api_key_authenticate(raw=raw)
            if key is None:
                return _error(401, "unauthorized", "Send a valid API key as `Authorization: Bearer <key>`.")
            request.api_key = key
            request.workspace = key.workspace
            body = _read_body(request)
            if body is None:
                return _too_large()
            request.api_body = body
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _too_large() -> JsonResponse:
    message = (
        f"The body is larger than {MAX_BODY_BYTES:,} bytes; nothing was stored. "
        f"Send at most {MAX_BATCH:,} events of up to {MAX_EVENT_BYTES // 1024} KiB each."
    )
    return _error(413, "payload_too_large", message)


def _read_body(request) -> bytes | None:
    # Not request.body: that applies DATA_UPLOAD_MAX_MEMORY_SIZE and raises into Django's HTML 400 page.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)  # the stream stops at Content-Length; this stops a lying one
    return None if len(body) > MAX_BODY_BYTES else body


def not_found(request, *args, **kwargs) -> JsonResponse:
    return _error(404, "not_found", f"No API endpoint at {request.path}. See README: the events API.")


def bad_request(request, exception=None) -> JsonResponse:
    return _error(400, "bad_request", "The request could not be read; nothing was stored.")


def server_error(request) -> JsonResponse:
    # Honest about what we know: the batch is one transaction, but the failure may have come after its commit.
    return _error(500, "server_error",
                  "Something went wrong on our side. The request may or may not have been stored: send it again "
                  "with the same Idempotency-Key, and a request that was stored is answered from its record, "
                  "never stored twice.")  # fmt: skip


def _ingest(request, events) -> JsonResponse:
    idem_key = request.headers.get("Idempotency-Key", "").strip()[:255]
    body_hash = hashlib.sha256(request.api_body).hexdigest()
    if idem_key:
        seen = IdempotencyRecord.objects.filter(workspace=request.workspace, key=idem_key).first()
        if seen is not None:
            if seen.request_hash != body_hash:
                return _error(422, "idempotency_key_reused",
                              "This Idempotency-Key was used with a different request body.")  # fmt: skip
            response = JsonResponse(seen.response, status=seen.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
    try:
        with transaction.atomic():
            result = events_ingest(workspace=request.workspace, events=events)
            body = {"data": result.results}
            if idem_key:
                IdempotencyRecord.objects.create(workspace=request.workspace, key=idem_key, request_hash=body_hash,
                                                 status_code=202, response=body)  # fmt: skip
    except EventsInvalid as exc:
        return _error(400, exc.code, exc.message, exc.items)
    except IntegrityError:  # the same key raced in from another request
        return _error(409, "idempotency_conflict", "A request with this Idempotency-Key is being processed.")
    return JsonResponse(body, status=202)


def _json(request):
    try:
        data = json.loads(request.api_body or b"null")
    except (ValueError, UnicodeDecodeError):  # also numbers of more than 4,300 digits
        return None, _error(400, "invalid_json", "The body is not valid JSON.")
    except RecursionError:
        too_deep = True
    else:
        too_deep = _deeper_than(data, MAX_JSON_DEPTH)
    if too_deep:
        return None, _error(400, "json_too_deep", f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    return data, None


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


@api_view("POST")
def event_create(request):
    data, error = _json(request)
    if error:
        return error
    if not isinstance(data, dict):
        return _error(400, "invalid_event", "Send one event as a JSON object (use /events/batch for lists).")
    response = _ingest(request, [data])
    if response.status_code == 202:
        payload = json.loads(response.content)
        single = JsonResponse({"data": payload["data"][0]}, status=202)
        if response.has_header("Idempotent-Replayed"):
            single["Idempotent-Replayed"] = "true"
        return single
    return response


@api_view("POST")
def event_batch(request):
    data, error = _json(request)
    if error:
        return error
    events = data.get("events") if isinstance(data, dict) else data
    return _ingest(request, events)


@api_view("GET", "HEAD")
def activity_detail(request, pk: int):
    activity = Activity.objects.filter(pk=pk, workspace=request.workspace).first()
    if activity is None:
        return _error(404, "not_found", "No activity with this id in your workspace.")
    return JsonResponse({"data": activity_status(activity=activity)})
