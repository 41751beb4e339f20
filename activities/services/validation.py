"""Validation of incoming events: plain functions returning cleaned data or a list of per-field errors."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from activities.models import ActivityKind, ActivityState
from activities.models.events import EnrollmentEvent

EVENT_TYPES = ("prospect", "enrollment", "activity", "opt_out")
ACTIVITY_KINDS, ACTIVITY_STATES = tuple(ActivityKind.values), tuple(ActivityState.values)  # built once, not per event
ENROLLMENT_EVENTS = tuple(EnrollmentEvent.values)
MAX_BATCH = 1000
# One event as compact UTF-8 JSON: twenty times a typical event (~3 KB), room for notes and an email excerpt of
# 32,000 plain characters each. A larger event is refused on its own (event_too_large), so a batch is never refused
# whole for its size: the API's body limit is MAX_BATCH × MAX_EVENT_BYTES plus room for the envelope.
MAX_EVENT_BYTES = 64 * 1024
# A call (or any activity) longer than a week is a unit mistake, and the column holds at most 2^31 - 1.
MAX_DURATION_SECONDS = 7 * 24 * 3600
# Dates outside these years are typos (or epoch zero); beyond them a time zone offset can overflow the database.
YEARS = range(1970, 2101)
# Other spellings of an activity kind the API accepts. The README long documented `linkedin_connection_request`
# while the model stores `linkedin_connection`; both reach the same kind, so neither integration breaks.
KIND_ALIASES = {"linkedin_connection_request": "linkedin_connection"}


@dataclass
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self, index: int | None = None) -> dict:
        data = {"code": self.code, "field": self.field, "message": self.message}
        return {"index": index, **data} if index is not None else data


@dataclass
class Cleaned:
    type: str
    data: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)


class _Checker:
    def __init__(self, data: Any, prefix: str = ""):
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def error(self, name: str, code: str, message: str) -> None:
        self.errors.append(FieldError(f"{self.prefix}{name}", code, message))

    def string(self, name: str, *, required: bool = False, max_length: int = 255) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.error(name, "required", "This field is required.")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(name, "invalid_type", "Expected a string.")
            return ""
        value = str(value).strip()
        if _unstorable(value):
            self.error(name, "invalid_characters", "Contains a NUL character or an unpaired UTF-16 surrogate.")
            return ""
        if len(value) > max_length:
            self.error(name, "too_long", f"At most {max_length} characters.")
            return ""
        return value

    def email(self, name: str, *, required: bool = False) -> str:
        value = self.string(name, required=required, max_length=254)
        if value and not _email_valid(value):
            self.error(name, "invalid_email", "Not a valid email address.")
            return ""
        return value.lower()

    def url(self, name: str, *, max_length: int = 255) -> str:
        value = self.string(name, max_length=max_length)
        if value and not _url_valid(value):
            self.error(name, "invalid_url", "Not a valid http(s) URL.")
            return ""
        return value

    def choice(self, name: str, choices, *, required: bool = True) -> str:
        value = self.string(name, required=required, max_length=64)
        if value and value not in choices:
            self.error(name, "invalid_choice", f"One of: {', '.join(choices)}.")
            return ""
        return value

    def when(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self.error(name, "required", "This field is required.")
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible: 2024-02-30, month 13, hour 25, offset beyond 24 h
            parsed = None
        if parsed is None:
            self.error(name, "invalid_datetime", "Expected an ISO 8601 date and time that exists.")
            return None
        if parsed.year not in YEARS:
            self.error(name, "out_of_range", f"Expected a date between {YEARS[0]} and {YEARS[-1]}.")
            return None
        return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)  # no offset given: UTC

    def integer(self, name: str, *, minimum: int = 0, maximum: int) -> int | None:
        value = self.data.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "invalid_integer", f"Expected a whole number from {minimum} to {maximum}.")
            return None
        if not minimum <= value <= maximum:
            self.error(name, "out_of_range", f"Expected a whole number from {minimum} to {maximum}.")
            return None
        return value

    def nested(self, name: str, *, required: bool = False) -> _Checker:
        value = self.data.get(name)
        if value is None and required:
            self.error(name, "required", "This field is required.")
        elif value is not None and not isinstance(value, dict):
            self.error(name, "invalid_type", "Expected an object.")
        child = _Checker(value, prefix=f"{self.prefix}{name}.")
        child.errors = self.errors
        return child


# A batch names the same reps and prospects over and over (a rep's email in every one of their events): each
# distinct address is checked once. Pure functions of the string, so the caches can be shared.
@functools.lru_cache(maxsize=8192)
def _email_valid(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


_http_url = URLValidator(schemes=["http", "https"])


@functools.lru_cache(maxsize=8192)
def _url_valid(value: str) -> bool:
    try:
        _http_url(value)
    except ValidationError:
        return False
    return True


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: str) -> bool:
    # JSON may carry "\u0000" and lone surrogates ("\ud800"); no database column takes them.
    return _UNSTORABLE.search(value) is not None


def event_size(event: Any) -> int:
    """Bytes of the event as compact UTF-8 JSON: what MAX_EVENT_BYTES limits, however the client spaced it."""
    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str)  # default: in-process callers
    return len(text.encode("utf-8", "surrogatepass"))


def _prospect(checker: _Checker) -> dict:
    p = checker.nested("prospect", required=True)
    company = p.nested("company")
    cleaned = {
        "email": p.email("email"),
        "first_name": p.string("first_name", max_length=80),
        "last_name": p.string("last_name", max_length=80),
        "linkedin_url": p.url("linkedin_url"),
        "phone": p.string("phone", max_length=40),
        "title": p.string("title", max_length=128),
        "company_name": company.string("name"),
        "company_domain": company.string("domain"),
        "company_linkedin_url": company.url("linkedin_url"),
        "company_industry": company.string("industry", max_length=120),
        "company_size": company.string("size", max_length=40),
    }
    given = isinstance(checker.data.get("prospect"), dict)  # missing or not an object is reported above
    no_identity = given and not cleaned["email"] and not cleaned["linkedin_url"]
    if no_identity and not any(e.field in ("prospect.email", "prospect.linkedin_url") for e in checker.errors):
        p.error("email", "required", "A prospect needs an email or a LinkedIn URL.")
    return cleaned


def event_clean(event: Any) -> Cleaned:
    if not isinstance(event, dict):
        return Cleaned("", {}, [FieldError("", "invalid_type", "An event is a JSON object.")])
    if event_size(event) > MAX_EVENT_BYTES:
        message = f"An event is at most {MAX_EVENT_BYTES // 1024} KiB of JSON."
        return Cleaned("", {}, [FieldError("", "event_too_large", message)])
    c = _Checker(event)
    kind = c.choice("type", EVENT_TYPES)
    data: dict[str, Any] = {}
    if kind:
        data["prospect"] = _prospect(c)
    if kind == "prospect":
        data["user"] = c.email("user")
    elif kind == "enrollment":
        data["user"] = c.email("user", required=True)
        data["event"] = c.choice("event", ENROLLMENT_EVENTS)
        seq = c.nested("sequence", required=True)
        data["sequence_name"] = seq.string("name", required=True)
        data["step_name"] = seq.string("step")
        data["status"] = seq.string("status", max_length=64)
        data["occurred_at"] = c.when("occurred_at") or timezone.now()
    elif kind == "activity":
        data["external_id"] = c.string("id", required=True)
        data["user"] = c.email("user", required=True)
        raw_kind = c.data.get("kind")
        if isinstance(raw_kind, str) and raw_kind.strip() in KIND_ALIASES:
            c.data = {**c.data, "kind": KIND_ALIASES[raw_kind.strip()]}
        data["kind"] = c.choice("kind", ACTIVITY_KINDS)
        data["state"] = c.choice("state", ACTIVITY_STATES)
        data["started_at"] = c.when("started_at")
        data["completed_at"] = c.when("completed_at")
        data["subject"] = c.string("subject")
        data["notes"] = c.string("notes", max_length=32000)
        call = c.nested("call")
        data["recording_url"] = call.url("recording_url", max_length=500)
        data["number_dialed"] = call.string("number_dialed", max_length=40)
        data["disposition"] = call.string("disposition")
        data["duration_seconds"] = call.integer("duration_seconds", maximum=MAX_DURATION_SECONDS)
        if call.data.get("notes"):
            data["notes"] = call.string("notes", max_length=32000)
        email = c.nested("email")
        if email.data.get("subject"):
            data["subject"] = email.string("subject")
        data["body_excerpt"] = email.string("body_excerpt", max_length=32000)
        if data["state"] == ActivityState.COMPLETED and not data["completed_at"]:
            data["completed_at"] = timezone.now()
    elif kind == "opt_out":
        data["channel"] = c.choice("channel", ("sms",), required=False) or "sms"
        data["occurred_at"] = c.when("occurred_at") or timezone.now()
    return Cleaned(kind, data, c.errors)
