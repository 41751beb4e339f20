"""The versioned events API: bearer API key, optional Idempotency-Key, JSON in and out. No DRF needed."""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from activities.models import Activity, IdempotencyRecord
from activities.selectors import activity_status
from activities.services.ingest import EventsInvalid, events_ingest
from activities.services.keys import api_key_authenticate


def _error(status: int, code: str, message: str, items: list | None = None) -> JsonResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if items is not None:
        body["error"]["items"] = items
    return JsonResponse(body, status=status)


def api_view(view):
    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        auth = request.headers.get("Authorization", "")
        raw = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        key = api_key_authenticate(raw=raw)
        if key is None:
            return _error(401, "unauthorized", "Send a valid API key as `Authorization: Bearer <key>`.")
        request.api_key = key
        request.workspace = key.workspace
        return view(request, *args, **kwargs)

    return wrapped


def _ingest(request, events) -> JsonResponse:
    idem_key = request.headers.get("Idempotency-Key", "").strip()[:255]
    body_hash = hashlib.sha256(request.body).hexdigest()
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
        return json.loads(request.body or b"null"), None
    except (ValueError, UnicodeDecodeError):
        return None, _error(400, "invalid_json", "The body is not valid JSON.")


@require_POST
@api_view
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


@require_POST
@api_view
def event_batch(request):
    data, error = _json(request)
    if error:
        return error
    events = data.get("events") if isinstance(data, dict) else data
    return _ingest(request, events)


@require_GET
@api_view
def activity_detail(request, pk: int):
    activity = Activity.objects.filter(pk=pk, workspace=request.workspace).first()
    if activity is None:
        return _error(404, "not_found", "No activity with this id in your workspace.")
    return JsonResponse({"data": activity_status(activity=activity)})
