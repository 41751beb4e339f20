"""Request and response bodies of the actions API (pydantic, so the OpenAPI description is the code).

Shapes only: what the org accepts (which fields exist, which stage names, which ids) is checked against its
describe before the call, in checks.py.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

Scalar = str | int | float | bool | None
FieldValues = dict[str, Scalar | list[str]]

WAIT = Field(10, ge=0, le=60, description="Seconds to wait for Salesforce's answer (then 202 with a status URL).")
AS_USER = Field(
    None,
    max_length=254,
    description="A member's email: their own Salesforce connection acts "
    "(Created By is them). Default: the workspace's admin connection.",
)


class _In(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, value):
        # Every request is kept in jsonb, and PostgreSQL cannot store NUL: refuse it here, not with a 500 there.
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and "\x00" in item:
                raise ValueError("Text may not contain the NUL character (\\u0000).")
            if isinstance(item, dict):
                stack.extend([*item.keys(), *item.values()])
            elif isinstance(item, list | tuple):
                stack.extend(item)
        return value


class CreateTaskIn(_In):
    subject: str = Field(min_length=1, max_length=255)
    what_id: str | None = Field(None, max_length=18, description="Account, Opportunity, Case… (15 or 18 chars).")
    who_id: str | None = Field(None, max_length=18, description="Contact or Lead.")
    description: str | None = Field(None, max_length=32000)
    activity_date: str | None = Field(None, description="Due date, YYYY-MM-DD.", max_length=10)
    status: str | None = Field(None, max_length=255)
    priority: str | None = Field(None, max_length=255)
    owner_id: str | None = Field(None, max_length=18)
    type: str | None = Field(None, max_length=255)
    task_subtype: str | None = Field("Call", max_length=255)
    fields: FieldValues = Field(
        default_factory=dict, description='Custom fields by API name, e.g. {"Region__c": "EMEA"}.'
    )
    as_user: str | None = AS_USER
    wait: float = WAIT


class UpdateOpportunityIn(_In):
    opportunity_id: str = Field(max_length=18)
    field_values: FieldValues = Field(
        description="Name, Amount, StageName, CloseDate, NextStep, Description, OwnerId or custom __c fields."
    )
    as_user: str | None = AS_USER
    wait: float = WAIT


class LogMeetingIn(_In):
    subject: str = Field(min_length=1, max_length=255)
    start: str = Field(description="ISO 8601 date and time with an offset (or Z).", max_length=40)
    end: str | None = Field(None, max_length=40, description="ISO 8601; or give duration_minutes.")
    duration_minutes: int | None = Field(None, ge=0, le=20160)
    who_id: str | None = Field(None, max_length=18)
    what_id: str | None = Field(None, max_length=18)
    description: str | None = Field(None, max_length=32000)
    owner_id: str | None = Field(None, max_length=18)
    location: str | None = Field(None, max_length=255)
    as_user: str | None = AS_USER
    wait: float = WAIT


Op = Literal["=", "!=", "<", ">", "<=", ">=", "in", "not_in", "like", "is_null"]


class Filter(_In):
    field: str = Field(max_length=80)
    op: Op
    value: Scalar | list[Scalar] = Field(
        None, description="A list for in/not_in, a boolean for is_null; for like, % and _ are wildcards."
    )


class OrderBy(_In):
    field: str = Field(max_length=80)
    direction: Literal["asc", "desc"] = "asc"


class QueryRecordsIn(_In):
    object: str | None = Field(None, max_length=80, description="Required unless `cursor` is given.")
    fields: list[str] = Field(default_factory=lambda: ["Id"], max_length=100)
    filters: list[Filter] = Field(default_factory=list, max_length=50)
    order_by: list[OrderBy] = Field(default_factory=list, max_length=5)
    limit: int = Field(200, ge=1, le=50_000, description="At most this many records in all (SOQL LIMIT).")
    page_size: int = Field(2000, ge=200, le=2000, description="Records per page; follow next_cursor for the rest.")
    cursor: str | None = Field(None, max_length=64, description="`next_cursor` of the previous page.")
    as_user: str | None = AS_USER


class ActionResult(Schema):
    model_config = ConfigDict(extra="allow")
    action_id: int
    action: str
    status: str
    attempts: int = 0
    id: str | None = None
    object: str | None = None
    link: str | None = None
    status_url: str | None = None


class ActionOut(Schema):
    data: ActionResult


class QueryPage(Schema):
    action_id: int
    records: list[dict[str, Any]]
    total_size: int
    next_cursor: str | None = None


class QueryOut(Schema):
    data: QueryPage


class ScoreRow(_In):
    account_id: str = Field(max_length=18)
    scores: dict[str, Scalar] = Field(max_length=100)


class ScoresIn(_In):
    accounts: list[ScoreRow] = Field(max_length=10_000)
    dry_run: bool = False
    wait: float = WAIT
