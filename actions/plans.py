"""From an action's input to the one write Salesforce gets: the record, checked field by field before the call."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from actions.checks import Problems, Refusal, datetime_parse, fields_check, id_check
from actions.services.context import ActionContext


@dataclass
class Plan:
    sobject: str
    op: str  # "create" or "update"
    fields: dict
    record_id: str = ""
    summary: str = ""
    find: dict = field(default_factory=dict)
    """For a create: fields that find the record again if an attempt wrote it but its answer was lost."""

    def as_dict(self) -> dict:
        return asdict(self)


def _short(text: str | None, size: int = 60) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= size else text[: size - 1] + "…"


def _related(ctx: ActionContext, sobject: str, data, problems: Problems, record: dict) -> None:
    """who_id / what_id / owner_id: ids normalised and their object checked against what the field takes."""
    describe = ctx.describe(sobject)
    targets = {f["name"]: tuple(f.get("referenceTo") or ()) for f in describe.get("fields", [])}
    for attr, api in (("who_id", "WhoId"), ("what_id", "WhatId"), ("owner_id", "OwnerId")):
        value = getattr(data, attr, None)
        if not value:
            continue
        try:
            record[api], kind = id_check(value, name=attr, allowed=targets.get(api, ()), prefixes=ctx.prefixes())
        except Refusal as exc:
            extra = {"salesforce_code": exc.salesforce_code} if exc.salesforce_code else {}
            problems.items.extend(exc.items or [{"field": attr, "code": exc.code, "message": exc.message, **extra}])
            continue
        if api == "WhoId" and kind == "Lead" and data.what_id:
            problems.add(
                "what_id",
                "lead_with_what",
                "A Task or Event on a Lead cannot also be related to a record "
                "(Salesforce relates leads to nothing): leave what_id empty, or use the Contact.",
            )


def create_task(ctx: ActionContext, data) -> Plan:
    problems = Problems()
    record = {}
    _related(ctx, "Task", data, problems, record)
    given = {
        "Subject": data.subject,
        "Description": data.description,
        "ActivityDate": data.activity_date,
        "Status": data.status,
        "Priority": data.priority,
        "Type": data.type,
        "TaskSubtype": data.task_subtype,
    }
    given = {k: v for k, v in given.items() if v is not None}
    overlap = [k for k in data.fields if k.lower() in {g.lower() for g in [*given, *record]}]
    for name in overlap:
        problems.add(name, "duplicate_field", f"{name} is set by its own parameter; leave it out of `fields`.")
    values = {**given, **{k: v for k, v in data.fields.items() if k not in overlap}}
    fields = fields_check(
        ctx.describe("Task"),
        values,
        sobject="Task",
        creating=True,
        user=ctx.user_label,
        prefixes=ctx.prefixes(),
        problems=problems,
    )
    fields.update(record)
    related = ", ".join(f"{k} {v}" for k, v in record.items() if k != "OwnerId")
    return Plan(
        "Task",
        "create",
        fields,
        summary=_short(f"Task “{data.subject}”" + (f" on {related}" if related else "")),
        find={k: fields[k] for k in ("Subject", "WhoId", "WhatId") if fields.get(k)},
    )


def update_opportunity(ctx: ActionContext, data) -> Plan:
    record_id, _ = id_check(
        data.opportunity_id, name="opportunity_id", allowed=("Opportunity",), prefixes=ctx.prefixes()
    )
    if not data.field_values:
        raise Refusal(
            400,
            "nothing_to_update",
            "field_values is empty: name at least one field to change.",
            fields=["field_values"],
        )
    fields = fields_check(
        ctx.describe("Opportunity"),
        data.field_values,
        sobject="Opportunity",
        creating=False,
        user=ctx.user_label,
        prefixes=ctx.prefixes(),
    )
    return Plan(
        "Opportunity",
        "update",
        fields,
        record_id=record_id,
        summary=_short(f"Opportunity {record_id}: {', '.join(f'{k}={v}' for k, v in fields.items())}", 200),
    )


def log_meeting(ctx: ActionContext, data) -> Plan:
    problems = Problems()
    record = {}
    _related(ctx, "Event", data, problems, record)
    start = datetime_parse(data.start)
    if start is None:
        problems.add(
            "start",
            "invalid_datetime",
            f"start takes an ISO 8601 date and time with an offset, e.g. 2026-05-01T15:00:00Z (got “{data.start}”).",
        )
    if (data.end is None) == (data.duration_minutes is None):
        problems.add("end", "end_or_duration", "Give either end or duration_minutes (one of them, not both).")
    end = None
    if data.end is not None:
        end = datetime_parse(data.end)
        if end is None:
            problems.add(
                "end", "invalid_datetime", f"end takes an ISO 8601 date and time with an offset (got “{data.end}”)."
            )
        elif start is not None and end < start:
            problems.add("end", "end_before_start", "end is before start.")
    if start is not None and data.duration_minutes is not None:
        end = start + timedelta(minutes=data.duration_minutes)
    values = {"Subject": data.subject, "Description": data.description, "Location": data.location}
    if start is not None and end is not None:
        minutes = int((end - start).total_seconds() // 60)
        if minutes > 14 * 24 * 60:
            problems.add("end", "too_long", "A meeting lasts at most 14 days.")
        values.update(StartDateTime=_utc(start), EndDateTime=_utc(end), DurationInMinutes=minutes)
    values = {k: v for k, v in values.items() if v is not None}
    fields = fields_check(
        ctx.describe("Event"),
        values,
        sobject="Event",
        creating=True,
        user=ctx.user_label,
        prefixes=ctx.prefixes(),
        problems=problems,
    )
    fields.update(record)
    return Plan(
        "Event",
        "create",
        fields,
        summary=_short(f"Meeting “{data.subject}” at {data.start}"),
        find={k: fields[k] for k in ("Subject", "StartDateTime", "WhoId", "WhatId") if fields.get(k)},
    )


def _utc(value) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PLANNERS = {"create_task": create_task, "update_opportunity": update_opportunity, "log_meeting": log_meeting}
