"""The actions API: `POST /api/v1/actions/<name>`, `GET /api/v1/actions/runs/<id>` (and the scores endpoint).

Writes answer 200 with the record's id and a Salesforce link, 4xx with our error (Salesforce's code beside
ours), or 202 with a status URL while Salesforce is still being retried. `Idempotency-Key` returns the first
request's action, however often it is sent.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError
from django.http import JsonResponse
from ninja import Router

from actions.models import ActionName, ActionRun, ActionStatus
from actions.schemas import (
    ActionOut,
    CreateTaskIn,
    LogMeetingIn,
    QueryOut,
    QueryRecordsIn,
    ScoresIn,
    UpdateOpportunityIn,
)
from actions.services.context import integrations_link
from actions.services.query import records_query
from actions.services.scores import scores_start, scores_wait
from actions.services.submit import action_record, action_run_body, action_start, action_wait
from activities.api.framework import ApiKeyAuth, error_response
from activities.api.schemas import ErrorOut

router = Router(tags=["actions"])

_errors = dict.fromkeys((400, 401, 403, 404, 409, 422, 429, 503), ErrorOut)
_write = {200: ActionOut, 202: ActionOut, **_errors}


def _status_url(request, run: ActionRun) -> str:
    return request.build_absolute_uri(f"/api/v1/actions/runs/{run.pk}")


def _body(request, run: ActionRun, *, status_url: str) -> tuple[int, dict]:
    status, body = action_run_body(run, status_url=status_url)
    if body.get("error", {}).get("code") == "reconnect_required":
        # The page to (re)connect on, as a field of its own: a tool shows it as a button, not buried in the text.
        body["error"]["link"] = integrations_link(run.workspace, request)
    return status, body


def _answer(request, run: ActionRun, *, replayed: bool = False) -> JsonResponse:
    status, body = _body(request, run, status_url=_status_url(request, run))
    response = JsonResponse(body, status=status)
    if status == 202:
        response["Location"] = _status_url(request, run)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _seen(request) -> tuple[str, str, ActionRun | None, JsonResponse | None]:
    key = request.headers.get("Idempotency-Key", "").strip()[:255]
    body_hash = hashlib.sha256(request.api_body).hexdigest()
    if not key:
        return key, body_hash, None, None
    run = ActionRun.objects.filter(workspace=request.workspace, idempotency_key=key).first()
    if run is not None and run.request_hash != body_hash:
        return (
            key,
            body_hash,
            None,
            error_response(
                422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body."
            ),
        )
    return key, body_hash, run, None


def _write_action(request, name: str, data) -> JsonResponse:
    key, body_hash, seen, error = _seen(request)
    if error is not None:
        return error
    if seen is not None:
        return _answer(request, action_wait(seen, seconds=data.wait), replayed=True)
    run = action_record(
        workspace=request.workspace,
        name=name,
        data=data,
        api_key=request.api_key,
        idempotency_key=key,
        request_hash=body_hash,
    )
    try:
        run = action_start(run, data, request=request)
    except IntegrityError:  # the same key raced in from another request
        return error_response(409, "idempotency_conflict", "A request with this Idempotency-Key is being processed.")
    if run.status == ActionStatus.PENDING:
        run = action_wait(run, seconds=data.wait)
    return _answer(request, run)


@router.post(
    "/actions/create_task",
    auth=ApiKeyAuth("actions:write"),
    response=_write,
    summary="Create a Task (call, to-do) on a Contact/Lead and a related record",
)
def create_task(request, data: CreateTaskIn):
    return _write_action(request, ActionName.CREATE_TASK, data)


@router.post(
    "/actions/update_opportunity",
    auth=ApiKeyAuth("actions:write"),
    response=_write,
    summary="Update an Opportunity's fields (stage, amount, close date, next step…)",
)
def update_opportunity(request, data: UpdateOpportunityIn):
    return _write_action(request, ActionName.UPDATE_OPPORTUNITY, data)


@router.post(
    "/actions/log_meeting",
    auth=ApiKeyAuth("actions:write"),
    response=_write,
    summary="Log a meeting: an Event on the related records",
)
def log_meeting(request, data: LogMeetingIn):
    return _write_action(request, ActionName.LOG_MEETING, data)


@router.post(
    "/actions/query_records",
    auth=ApiKeyAuth("records:read"),
    response={200: QueryOut, **_errors},
    summary="Query records with structured filters (never SOQL from the caller)",
)
def query_records(request, data: QueryRecordsIn):
    run = action_record(workspace=request.workspace, name=ActionName.QUERY_RECORDS, data=data, api_key=request.api_key)
    run = records_query(run, data, request=request)
    if run.status != ActionStatus.SUCCEEDED:
        status, body = _body(request, run, status_url="")
        return JsonResponse(body, status=status)
    page = {
        "action_id": run.pk,
        "records": run.records,
        "total_size": run.result["total_size"],
        "next_cursor": run.result["next_cursor"],
    }
    return JsonResponse({"data": page})


@router.post(
    "/accounts/scores",
    auth=ApiKeyAuth("scores:write"),
    response=_write,
    summary="Write scores to mapped Account fields (up to 10,000 accounts, 200 per Salesforce call)",
)
def account_scores(request, data: ScoresIn):
    key, body_hash, seen, error = _seen(request)
    if error is not None:
        return error
    if seen is not None:
        return _answer(request, scores_wait(seen, seconds=data.wait), replayed=True)
    run = action_record(
        workspace=request.workspace,
        name=ActionName.UPDATE_ACCOUNT_FIELDS,
        data=data,
        api_key=request.api_key,
        idempotency_key=key,
        request_hash=body_hash,
    )
    try:
        run = scores_start(run, data, request=request)
    except IntegrityError:
        return error_response(409, "idempotency_conflict", "A request with this Idempotency-Key is being processed.")
    if run.status == ActionStatus.PENDING:
        run = scores_wait(run, seconds=data.wait)
    return _answer(request, run)


@router.api_operation(
    ["GET", "HEAD"],
    "/actions/runs/{int:pk}",
    auth=ApiKeyAuth(("actions:write", "records:read", "scores:write")),
    response={200: ActionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Where an action stands (the status URL of a 202)",
)
def action_status(request, pk: int):
    run = ActionRun.objects.filter(pk=pk, workspace=request.workspace).select_related("job", "connection").first()
    if run is None:
        return error_response(404, "not_found", "No action with this id in your workspace.")
    status, body = _body(request, run, status_url=_status_url(request, run))
    if "error" in body:
        data = {
            "action_id": run.pk,
            "action": run.name,
            "status": run.status,
            "attempts": run.attempts,
            "error": body["error"],
        }
        return JsonResponse({"data": data})
    return JsonResponse(body)
