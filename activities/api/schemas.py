"""Schemas of the events API, for the OpenAPI description and the responses.

Events are still checked by `activities.services.validation` (its per-item codes, such as `unknown_user` or
`event_too_large`, are what clients act on); these models describe the same shapes for the reference page and
for generated clients, and `tests/actions/test_openapi.py` runs the description against the code.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from activities.models import ActivityKind, ActivityState
from activities.models.events import EnrollmentEvent
from activities.services.validation import MAX_BATCH


class ErrorItem(Schema):
    field: str | None = None
    code: str
    message: str
    index: int | None = None


class ErrorBody(Schema):
    code: str = Field(description="Stable, machine-readable, e.g. `invalid_events`, `wrong_object`.")
    message: str = Field(description="What went wrong and what to do, for a person.")
    items: list[ErrorItem] | None = None
    salesforce_code: str | None = Field(
        None, description="Salesforce's own error code, when Salesforce answered it or would have (actions)."
    )
    link: str | None = Field(None, description="The page to fix it on, e.g. where to reconnect Salesforce.")
    action_id: int | None = Field(None, description="The action this answers (actions); see the Actions page.")


class ErrorOut(Schema):
    """Every error the API answers, whatever its status."""

    error: ErrorBody


class Company(Schema):
    name: str | None = Field(None, max_length=255)
    domain: str | None = Field(None, max_length=255)
    linkedin_url: str | None = Field(None, max_length=255)
    industry: str | None = Field(None, max_length=120)
    size: str | None = Field(None, max_length=40)


class ProspectIn(Schema):
    email: str | None = Field(None, max_length=254, description="An email or a LinkedIn URL is required.")
    first_name: str | None = Field(None, max_length=80)
    last_name: str | None = Field(None, max_length=80)
    linkedin_url: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=128)
    company: Company | None = None


class CallIn(Schema):
    number_dialed: str | None = Field(None, max_length=40)
    disposition: str | None = Field(None, max_length=255)
    duration_seconds: int | None = Field(None, ge=0, le=7 * 24 * 3600)
    recording_url: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=32000)


class EmailIn(Schema):
    subject: str | None = Field(None, max_length=255)
    body_excerpt: str | None = Field(None, max_length=32000)


class ActivityEvent(Schema):
    type: Literal["activity"]
    id: str = Field(max_length=255, description="Your id; the completion of an open activity sends it again.")
    kind: Literal[tuple(ActivityKind.values) + ("linkedin_connection_request",)]  # type: ignore[valid-type]
    state: Literal[tuple(ActivityState.values)]  # type: ignore[valid-type]
    user: str = Field(description="The rep's email, a member of the workspace.")
    prospect: ProspectIn
    subject: str | None = Field(None, max_length=255)
    notes: str | None = Field(None, max_length=32000)
    started_at: str | None = Field(None, description="ISO 8601; without an offset, UTC.")
    completed_at: str | None = None
    call: CallIn | None = None
    email: EmailIn | None = None


class SequenceIn(Schema):
    name: str = Field(max_length=255)
    step: str | None = Field(None, max_length=255)
    status: str | None = Field(None, max_length=64)


class EnrollmentEventIn(Schema):
    type: Literal["enrollment"]
    event: Literal[tuple(EnrollmentEvent.values)]  # type: ignore[valid-type]
    user: str
    prospect: ProspectIn
    sequence: SequenceIn
    occurred_at: str | None = None


class ProspectEvent(Schema):
    type: Literal["prospect"]
    prospect: ProspectIn
    user: str | None = None


class OptOutEvent(Schema):
    type: Literal["opt_out"]
    prospect: ProspectIn


Event = ActivityEvent | EnrollmentEventIn | ProspectEvent | OptOutEvent


class EventBatch(Schema):
    events: list[Event] = Field(max_length=MAX_BATCH)


class EventResult(Schema):
    model_config = {"extra": "allow"}
    type: str
    id: int | None = None


class EventAccepted(Schema):
    data: EventResult


class BatchAccepted(Schema):
    data: list[EventResult]


class JobStatusOut(Schema):
    id: int
    action: str
    status: str
    attempts: int
    error: dict[str, Any] | None = None


class ActivityStatus(Schema):
    id: int
    external_id: str
    status: Literal["stored", "pending", "written", "done", "failed"]
    salesforce_task_id: str | None = None
    jobs: list[JobStatusOut]


class ActivityStatusOut(Schema):
    data: ActivityStatus


def request_body(model, *, example: dict | None = None) -> dict:
    """`openapi_extra` for an operation that reads its JSON itself (the events validator): the body refers to
    `model`, which `SwitchboardApi.get_openapi_schema` adds to the components (see `extra_schemas`)."""
    content: dict = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if example is not None:
        content["example"] = example
    return {"requestBody": {"required": True, "content": {"application/json": content}}}
