"""The events API: bearer API key with the `events:write` scope, optional Idempotency-Key, JSON in and out.

Every answer, errors included, is JSON in one shape: `{"error": {"code", "message", "items"?}}` (see
framework.py). Events are checked by the events validator (activities.services.validation, through ingest), whose
per-item codes clients act on; the schemas in schemas.py describe the same shapes for the OpenAPI description.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from ninja import Router

from activities.api.framework import ApiKeyAuth, error_response, json_parse
from activities.api.schemas import (
    ActivityStatusOut,
    BatchAccepted,
    ErrorOut,
    Event,
    EventAccepted,
    EventBatch,
    request_body,
)
from activities.models import Activity, IdempotencyRecord
from activities.selectors import activity_status
from activities.services.ingest import EventsInvalid, events_ingest

router = Router(tags=["events"])
router.extra_schemas = [EventBatch, *Event.__args__]

_errors = dict.fromkeys((400, 401, 403, 409, 413, 422), ErrorOut)
_EXAMPLE = {"type": "activity", "id": "call-8812", "kind": "call", "state": "completed", "user": "rep@acme.example",
            "prospect": {"email": "dana@globex.example", "first_name": "Dana", "last_name": "Ito",
                         "company": {"name": "Globex", "domain": "globex.example"}},
            "call": {"disposition": "Connected", "duration_seconds": 312}}  # fmt: skip
_ONE_EVENT = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"oneOf": [{"$ref": f"#/components/schemas/{m.__name__}"} for m in Event.__args__]},
    "example": _EXAMPLE}}}}  # fmt: skip


# Two requests storing the same new prospect at once: one of them meets the other's row at commit. Run again, it
# finds that row; only an unending race (never seen) gives up and says to send the request again.
STORE_ATTEMPTS = 3


def idempotent(request, run) -> JsonResponse:
    """Answer a request with an `Idempotency-Key` from its first answer; else `run()` once and keep what it said.

    `run()` returns (status, body) inside a transaction; the record is written in the same one, so a request
    that was stored is always answered from its record, never stored twice."""
    idem_key = request.headers.get("Idempotency-Key", "").strip()[:255]
    body_hash = hashlib.sha256(request.api_body).hexdigest()
    for _ in range(STORE_ATTEMPTS):
        if idem_key and (seen := IdempotencyRecord.objects.filter(workspace=request.workspace, key=idem_key).first()):
            if seen.request_hash != body_hash:
                return error_response(422, "idempotency_key_reused",
                                      "This Idempotency-Key was used with a different request body.")  # fmt: skip
            response = JsonResponse(seen.response, status=seen.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            with transaction.atomic():
                status, body = run()
                if idem_key:
                    IdempotencyRecord.objects.create(workspace=request.workspace, key=idem_key, request_hash=body_hash,
                                                     status_code=status, response=body)  # fmt: skip
        except IntegrityError:  # a concurrent request stored the same key or the same new row: look again
            continue
        return JsonResponse(body, status=status)
    message = "Another request was storing the same records at the same moment; send this one again."
    return error_response(409, "concurrent_request", message)


def _ingest(request, events) -> JsonResponse:
    def run():
        result = events_ingest(workspace=request.workspace, events=events)
        return 202, {"data": result.results}

    try:
        return idempotent(request, run)
    except EventsInvalid as exc:
        return error_response(400, exc.code, exc.message, exc.items)


@router.post("/events", auth=ApiKeyAuth("events:write"), response={202: EventAccepted, **_errors},
             openapi_extra=_ONE_EVENT, summary="Send one event", url_name="event_create")  # fmt: skip
def event_create(request):
    data = json_parse(request.api_body)
    if not isinstance(data, dict):
        return error_response(400, "invalid_event", "Send one event as a JSON object (use /events/batch for lists).")
    response = _ingest(request, [data])
    if response.status_code == 202:
        payload = json.loads(response.content)
        single = JsonResponse({"data": payload["data"][0]}, status=202)
        if response.has_header("Idempotent-Replayed"):
            single["Idempotent-Replayed"] = "true"
        return single
    return response


def _batch(request):
    data = json_parse(request.api_body)
    events = data.get("events") if isinstance(data, dict) else data
    return _ingest(request, events)


@router.post("/events/batch", auth=ApiKeyAuth("events:write"), response={202: BatchAccepted, **_errors},
             openapi_extra=request_body(EventBatch), summary="Send up to 1,000 events, stored all or nothing",
             url_name="event_batch")  # fmt: skip
def event_batch(request):
    return _batch(request)


@router.post("/events:batch", auth=ApiKeyAuth("events:write"), response={202: BatchAccepted, **_errors},
             openapi_extra=request_body(EventBatch), summary="Send a batch (the same as /events/batch)")  # fmt: skip
def event_batch_colon(request):
    return _batch(request)


@router.api_operation(["GET", "HEAD"], "/activities/{int:pk}", auth=ApiKeyAuth("events:write"),
                      response={200: ActivityStatusOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
                      summary="Where an activity's writes stand", url_name="activity_detail")  # fmt: skip
def activity_detail(request, pk: int):
    activity = Activity.objects.filter(pk=pk, workspace=request.workspace).first()
    if activity is None:
        return error_response(404, "not_found", "No activity with this id in your workspace.")
    return JsonResponse({"data": activity_status(activity=activity)})
