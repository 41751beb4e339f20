"""THE way our data becomes Salesforce field values. The writeback engine and the settings previews both call these.

Pure apart from reading the workspace's mapping rows: describe dicts come in as arguments, nothing here talks HTTP.
Mappings whose target field has left the org (or the connected user's view of it) are skipped with a warning,
so schema drift shows up on the settings page and in the engine's log rather than as a failed write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from mappings import selectors
from mappings.compat import drift_reason, field_lookup, fields_by_name, picklist_values
from mappings.models import CreationDefault, SequenceFieldMapping, TaskFieldMapping
from mappings.text_templates import TemplateError, template_parse, template_render
from mappings.types import CREATION_VARIABLES, TASK_VARIABLES, SequencePurpose, ValueSource
from mappings.values import InvalidValue, value_coerce

logger = logging.getLogger(__name__)

TASK_ENGINE_FIELDS = frozenset({"WhoId", "WhatId", "OwnerId"})
"""Set by the writeback engine (who, what, owner), never by a mapping."""
TASK_BUILDER_FIELDS = frozenset({"Status", "ActivityDate"})
"""Set here from the activity's state and time, never by a mapping."""
TASK_RESERVED_FIELDS = TASK_ENGINE_FIELDS | TASK_BUILDER_FIELDS
PROSPECT_RESERVED_FIELDS = frozenset({"Email", "OwnerId", "AccountId"})
"""Contact/Lead fields the engine sets itself (Email is how we find the record again)."""
ACCOUNT_RESERVED_FIELDS = frozenset({"OwnerId"})
DEFAULT_CLOSED_STATUS = "Completed"
DEFAULT_OPEN_STATUS = "Not Started"


@dataclass(frozen=True)
class CompanyData:
    name: str = ""
    website: str = ""
    industry: str = ""
    employee_count: int | None = None
    location: str = ""
    linkedin_url: str = ""


@dataclass(frozen=True)
class ProspectData:
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    title: str = ""
    phone: str = ""
    linkedin_url: str = ""
    company: CompanyData = field(default_factory=CompanyData)


@dataclass(frozen=True)
class ActivityData:
    kind: str
    """An `ActivityKind` value."""
    state: Literal["open", "completed"] = "completed"
    subject: str = ""
    body_excerpt: str = ""
    notes: str = ""
    sequence_name: str = ""
    step_name: str = ""
    recording_url: str = ""
    number_dialed: str = ""
    disposition: str = ""
    duration_seconds: int | None = None
    occurred_at: datetime | None = None
    rep_name: str = ""
    rep_email: str = ""
    prospect: ProspectData = field(default_factory=ProspectData)
    """Who the activity was with, for `{prospect.first_name}` and the like in Task values."""


class FieldNote(str):
    """A payload warning about one field. It reads as its text (previews, logs, the attempt's message) and also
    says what happened in a structured form, which the writeback ledger keeps (WritebackAttempt.skipped_fields)."""

    field: str
    reason: str
    """One of `NOTE_REASONS`."""
    detail: str
    sobject: str
    """Empty when it is the object being built; the engine fills it in."""

    def __new__(cls, text: str, *, field: str, reason: str, detail: str, sobject: str = "") -> FieldNote:
        note = super().__new__(cls, text)
        note.field, note.reason, note.detail, note.sobject = field, reason, detail, sobject
        return note


GONE, NOT_WRITABLE, INVALID_VALUE, RESERVED, CUT = "gone", "not_writable", "invalid_value", "reserved", "cut"
NOTE_REASONS = (GONE, NOT_WRITABLE, INVALID_VALUE, RESERVED, CUT)
"""Why a field was left out (deleted or hidden, not writable, a value Salesforce cannot take, set by us), or
its value cut to the field's length (the field itself is written)."""


def field_skipped(name: str, detail: str, *, reason: str, sobject: str = "") -> FieldNote:
    return FieldNote(f"{name} skipped: {detail}", field=name, reason=reason, detail=detail, sobject=sobject)


@dataclass(frozen=True)
class TaskPayload:
    fields: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EnrollmentData:
    sequence_name: str
    step_name: str = ""
    status: str = ""
    sequenced_by_user_id: str = ""
    """The Salesforce User id (005...) of the rep who enrolled the prospect."""


def _read(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# -- Task ------------------------------------------------------------------------------------------------------
def task_status_closed(task_describe: dict | None) -> str:
    """The org's closed Task status: "Completed" when it exists, otherwise the first value that reads closed."""
    status = field_lookup(fields_by_name(task_describe), "Status")
    values = picklist_values(status) if status else []
    if not values or DEFAULT_CLOSED_STATUS in values:
        return DEFAULT_CLOSED_STATUS
    return next((v for v in values if "complet" in v.lower() or "closed" in v.lower()), DEFAULT_CLOSED_STATUS)


def task_status_open(task_describe: dict | None) -> str:
    """The Status picklist's default value (unless it is the closed one), else "Not Started"."""
    status = field_lookup(fields_by_name(task_describe), "Status")
    if status is None:
        return DEFAULT_OPEN_STATUS
    closed = task_status_closed(task_describe)
    active = [p for p in status.get("picklistValues") or [] if p.get("active", True)]
    default = next((p["value"] for p in active if p.get("defaultValue") and p["value"] != closed), None)
    if default:
        return default
    values = [p["value"] for p in active]
    if not values or DEFAULT_OPEN_STATUS in values:
        return DEFAULT_OPEN_STATUS
    return next((v for v in values if v != closed), DEFAULT_OPEN_STATUS)


def _variable_value(variables: dict, data: Any, key: str) -> Any:
    variable = variables.get(key)
    return _read(data, variable.attribute) if variable else None


def _template_value(text: str, variables: dict, data: Any) -> str | None:
    """A saved template, rendered; None when it no longer parses (a variable we dropped), which leaves it out."""
    try:
        parts = template_parse(text, variables)
    except TemplateError:
        return None
    return template_render(parts, lambda key: _variable_value(variables, data, key))


def _task_value(mapping: TaskFieldMapping, activity: ActivityData) -> Any:
    if mapping.source == ValueSource.CONSTANT:
        return mapping.value
    if mapping.source == ValueSource.TEMPLATE:
        return _template_value(mapping.value, TASK_VARIABLES, activity)
    value = _variable_value(TASK_VARIABLES, activity, mapping.value)
    return translate(value, mapping.translation_table())


def translate(value: Any, table: dict[str, str]) -> Any:
    """Our value as the admin asked it to be written (matched without regard to case and surrounding spaces);
    values the table does not name go out as they are."""
    if not table or value is None or isinstance(value, bool):
        return value
    return table.get(str(value).strip().lower(), value)


def _put(
    payload: dict, warnings: list[str], fields: dict | None, name: str, value: Any, *, update: bool = False
) -> None:
    """Coerce `value` for field `name` and add it, or explain in `warnings` why it was left out."""
    if fields is None:  # no metadata: pass values through untyped
        payload[name] = value.isoformat() if isinstance(value, date) else value
        return
    target = field_lookup(fields, name)
    if update and target is not None and drift_reason(target) is None and not target.get("updateable"):
        return  # set on create only (e.g. TaskSubtype): expected, not drift
    reason = drift_reason(target, update=update)
    if reason:
        warnings.append(field_skipped(name, reason, reason=GONE if target is None else NOT_WRITABLE))
        return
    try:
        payload[target["name"]] = value_coerce(target, value)
    except InvalidValue as exc:
        warnings.append(field_skipped(name, str(exc), reason=INVALID_VALUE))
        return
    if (
        isinstance(value, str)
        and isinstance(payload[target["name"]], str)
        and len(value) > len(payload[target["name"]])
    ):
        detail = f"cut to {target.get('length')} characters."
        warnings.append(FieldNote(f"{name} {detail}", field=name, reason=CUT, detail=detail))


def task_payload_build(
    *,
    workspace,
    activity: ActivityData,
    task_describe: dict | None,
    mappings: Sequence[TaskFieldMapping] | None = None,
    for_update: bool = False,
) -> TaskPayload:
    """The Task fields for `activity` (without WhoId/WhatId/OwnerId, which the engine adds).

    `for_update` builds the PATCH that completes a Task opened earlier (log mode "all"): fields Salesforce only
    takes on create are left out. `mappings` lets the preview try unsaved rows; by default the saved rows of the
    activity's kind are used.
    """
    if mappings is None:
        mappings = selectors.task_mapping_list(workspace=workspace, kind=activity.kind)
    fields = fields_by_name(task_describe) if task_describe is not None else None
    payload: dict[str, Any] = {}
    warnings: list[str] = []
    for mapping in mappings:
        if mapping.target_field in TASK_RESERVED_FIELDS:
            warnings.append(field_skipped(mapping.target_field, "it is set from the activity itself.", reason=RESERVED))
            continue
        value = _task_value(mapping, activity)
        if _empty(value):
            continue
        _put(payload, warnings, fields, mapping.target_field, value, update=for_update)
    closed = activity.state == "completed"
    status = task_status_closed(task_describe) if closed else task_status_open(task_describe)
    _put(payload, warnings, fields, "Status", status, update=for_update)
    if activity.occurred_at is not None:
        moment = activity.occurred_at if activity.occurred_at.tzinfo else activity.occurred_at.replace(tzinfo=UTC)
        _put(payload, warnings, fields, "ActivityDate", moment.astimezone(UTC).date(), update=for_update)
    return TaskPayload(fields=payload, warnings=warnings)


# -- Contact / Lead sequence fields ----------------------------------------------------------------------------
def _sequence_value(purpose: str, enrollment: EnrollmentData | None) -> Any:
    if purpose == SequencePurpose.ACTIVE:
        return enrollment is not None
    if enrollment is None:
        return None
    return {
        SequencePurpose.STATUS: enrollment.status,
        SequencePurpose.NAME: enrollment.sequence_name,
        SequencePurpose.STEP: enrollment.step_name,
        SequencePurpose.SEQUENCED_BY: enrollment.sequenced_by_user_id,
    }.get(purpose)


def sequence_fields_build(
    *,
    workspace,
    sobject: str,
    enrollment: EnrollmentData | None,
    describe: dict | None,
    mappings: Iterable[SequenceFieldMapping] | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Field updates mirroring `enrollment` on a Contact or Lead; None (not in a sequence) clears them. Pass a list
    as `warnings` to collect what was left out and why."""
    if mappings is None:
        mappings = selectors.sequence_mapping_list(workspace=workspace, sobject=sobject)
    fields = fields_by_name(describe) if describe is not None else None
    payload: dict[str, Any] = {}
    warnings = warnings if warnings is not None else []
    for mapping in mappings:
        value = _sequence_value(mapping.purpose, enrollment)
        if _empty(value):
            target = field_lookup(fields, mapping.target_field) if fields is not None else None
            if fields is None or drift_reason(target, update=True) is None:
                payload[target["name"] if target else mapping.target_field] = None  # clear it
            continue
        _put(payload, warnings, fields, mapping.target_field, value, update=True)
    for warning in warnings:
        logger.info("mappings.sequence_field_skipped", extra={"sobject": sobject, "warning": warning})
    return payload


# -- Account / Contact / Lead creation -------------------------------------------------------------------------
def _creation_value(mapping: CreationDefault, prospect: ProspectData) -> Any:
    if mapping.source == ValueSource.CONSTANT:
        return mapping.value
    if mapping.source == ValueSource.TEMPLATE:
        value = _template_value(mapping.value, CREATION_VARIABLES, prospect)
    else:
        value = _variable_value(CREATION_VARIABLES, prospect, mapping.value)
    return mapping.fallback if _empty(value) and mapping.fallback else value


def creation_payload_build(
    *,
    workspace,
    sobject: str,
    prospect: ProspectData,
    describe: dict | None,
    mappings: Iterable[CreationDefault] | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Fields of a new Account, Contact or Lead for `prospect` (Account: from its company).

    Contact/Lead also get Email and the configured LinkedIn URL field; pass a list as `warnings` to collect
    what was left out and why.
    """
    if mappings is None:
        mappings = selectors.creation_default_list(workspace=workspace, sobject=sobject)
    fields = fields_by_name(describe) if describe is not None else None
    warnings = warnings if warnings is not None else []
    payload: dict[str, Any] = {}
    if sobject in ("Contact", "Lead"):
        if not _empty(prospect.email):
            _put(payload, warnings, fields, "Email", prospect.email)
        crm = selectors.crm_settings_get(workspace=workspace)
        url_field = crm.linkedin_url_field_contact if sobject == "Contact" else crm.linkedin_url_field_lead
        if url_field and not _empty(prospect.linkedin_url):
            _put(payload, warnings, fields, url_field, prospect.linkedin_url)
    for mapping in mappings:
        value = _creation_value(mapping, prospect)
        if _empty(value):
            continue
        _put(payload, warnings, fields, mapping.target_field, value)
    return payload
