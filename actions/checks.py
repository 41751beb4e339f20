"""Salesforce's rules, checked against the org's describe before any write is sent.

Everything here is about one acting user: field-level security differs per user, so the describe is that
connection's own. A refusal names the field, the value, what would be accepted and, where the case or spacing
of a picklist value is off, the value meant.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.dateparse import parse_datetime

from integrations.providers.salesforce.ids import is_valid_id, to18
from mappings.compat import field_lookup, fields_by_name, picklist_values

STRING_TYPES = frozenset({"string", "textarea", "combobox", "email", "phone", "url", "encryptedstring"})
NUMBER_TYPES = frozenset({"double", "currency", "percent"})
ALWAYS_CHECKED_PICKLISTS = frozenset({"StageName"})
"""Unrestricted in the describe, yet a stage not in the org's list breaks forecasts and paths: checked anyway."""
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Refusal(Exception):
    """The request cannot succeed as sent: answered with `status` and our error body, nothing sent."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        items: list | None = None,
        salesforce_code: str = "",
        fields: list[str] | None = None,
        link: str = "",
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.items = items or []
        self.salesforce_code = salesforce_code
        self.fields = fields or []
        self.link = link

    def body(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.salesforce_code:
            error["salesforce_code"] = self.salesforce_code
        if self.fields:
            error["fields"] = self.fields
        if self.link:
            error["link"] = self.link
        if self.items:
            error["items"] = self.items
        return {"error": error}


@dataclass
class Problems:
    """Per-field problems of one request, reported together (a caller fixes them all at once)."""

    items: list[dict] = field(default_factory=list)

    def add(self, name: str, code: str, message: str, **extra) -> None:
        self.items.append({"field": name, "code": code, "message": message, **extra})

    def raise_if_any(self, sobject: str) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            only = self.items[0]
            raise Refusal(
                400,
                only["code"],
                only["message"],
                items=self.items,
                fields=[only["field"]],
                salesforce_code=only.get("salesforce_code", ""),
            )
        raise Refusal(
            400,
            "invalid_fields",
            f"{len(self.items)} values cannot be written to {sobject}; see items.",
            items=self.items,
            fields=[i["field"] for i in self.items],
        )


# -- ids ---------------------------------------------------------------------------------------------------------
def id_normalise(value, *, name: str) -> str:
    """The 18-character id; a malformed one is refused (Salesforce would answer MALFORMED_ID)."""
    if not isinstance(value, str) or not is_valid_id(value.strip()):
        raise Refusal(
            400,
            "invalid_id",
            f"{name}: “{value}” is not a Salesforce id (15 or 18 letters and digits; "
            "an 18-character id must have its case-safe suffix).",
            fields=[name],
            salesforce_code="MALFORMED_ID",
        )
    return to18(value.strip())


def id_check(value, *, name: str, allowed: tuple[str, ...], prefixes: dict[str, str]) -> tuple[str, str]:
    """(18-character id, its object). An id whose key prefix is another object's is refused as `wrong_object`."""
    record_id = id_normalise(value, name=name)
    sobject = prefixes.get(record_id[:3], "")
    if allowed and sobject not in allowed:
        what = (
            f"a{'n' if sobject[:1] in 'AEIOU' else ''} {sobject} id"
            if sobject
            else (f"an id with key prefix {record_id[:3]}, which is no object this user can see")
        )
        raise Refusal(
            400,
            "wrong_object",
            f"{name}: {record_id} is {what}; {name} takes {' or '.join(allowed)}.",
            fields=[name],
            items=[
                {
                    "field": name,
                    "code": "wrong_object",
                    "message": f"{record_id} is {what}.",
                    "object": sobject or None,
                    "expected": list(allowed),
                }
            ],
        )
    return record_id, sobject


def key_prefixes(describe_global: dict | None) -> dict[str, str]:
    return {o["keyPrefix"]: o["name"] for o in (describe_global or {}).get("sobjects", []) if o.get("keyPrefix")}


# -- fields ------------------------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


def closest(value: str, candidates: list[str]) -> str | None:
    """The value meant: the same but for case or spacing, else the nearest spelling (difflib)."""
    for candidate in candidates:
        if _norm(candidate) == _norm(value):
            return candidate
    found = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
    if not found:
        lowered = {c.casefold(): c for c in candidates}
        found = [lowered[m] for m in difflib.get_close_matches(value.casefold(), list(lowered), n=1, cutoff=0.6)]
    return found[0] if found else None


def _picklist(f: dict, value, problems: Problems, *, checked: bool):
    if not isinstance(value, str):
        problems.add(f["name"], "invalid_type", f"{f['name']} takes one of its picklist values, as text.")
        return None
    valid = picklist_values(f)
    if not checked or value in valid:
        return value
    suggestion = closest(value, valid)
    hint = f" Did you mean “{suggestion}”?" if suggestion else ""
    problems.add(
        f["name"],
        "invalid_picklist_value",
        f"“{value}” is not an active value of {f['name']}.{hint} Valid values: {', '.join(valid)}.",
        valid_values=valid,
        suggestion=suggestion,
        salesforce_code="INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    )
    return None


def value_check(f: dict, value, problems: Problems, *, user: str, prefixes: dict[str, str]):
    """One value for field `f`, in the form Salesforce takes; None (and a problem) when it cannot be."""
    name, kind = f["name"], f.get("type")
    if value is None:
        return None
    if kind in STRING_TYPES:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            problems.add(name, "invalid_type", f"{name} is a text field ({kind}); send a string.")
            return None
        value = str(value)
        length = f.get("length") or 0
        if length and len(value) > length:
            problems.add(
                name,
                "string_too_long",
                f"{name} takes at most {length} characters; this value has {len(value)}.",
                max_length=length,
                salesforce_code="STRING_TOO_LONG",
            )
            return None
        return value
    if kind == "picklist":
        return _picklist(
            f, value, problems, checked=bool(f.get("restrictedPicklist")) or name in ALWAYS_CHECKED_PICKLISTS
        )
    if kind == "multipicklist":
        values = value if isinstance(value, list) else str(value).split(";")
        checked = [_picklist(f, v, problems, checked=bool(f.get("restrictedPicklist"))) for v in values]
        return None if None in checked else ";".join(checked)
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.add(name, "invalid_type", f"{name} is a checkbox; send true or false.")
            return None
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.add(name, "invalid_type", f"{name} takes a whole number.")
            return None
        return value
    if kind in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(name, "invalid_type", f"{name} takes a number ({kind}).")
            return None
        precision, scale = f.get("precision") or 0, f.get("scale") or 0
        if precision and abs(value) >= 10 ** (precision - scale):
            problems.add(
                name,
                "number_too_large",
                f"{name} takes at most {precision - scale} digits before the decimal point.",
                salesforce_code="NUMBER_OUTSIDE_VALID_RANGE",
            )
            return None
        return value
    if kind == "date":
        return temporal_literal(kind, value, problems, name, f"{name} takes a date as YYYY-MM-DD (got “{value}”).")
    if kind == "datetime":
        return temporal_literal(
            kind,
            value,
            problems,
            name,
            f"{name} takes an ISO 8601 date and time with an offset, e.g. 2026-05-01T15:00:00Z (got “{value}”).",
        )
    if kind == "reference":
        try:
            record_id, _ = id_check(value, name=name, allowed=tuple(f.get("referenceTo") or ()), prefixes=prefixes)
        except Refusal as exc:
            problems.add(
                name, exc.code, exc.message, **({"salesforce_code": exc.salesforce_code} if exc.salesforce_code else {})
            )
            return None
        return record_id
    problems.add(name, "unsupported_type", f"{name} is a {kind} field, which actions do not write.")
    return None


def date_parse(value) -> date | None:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def datetime_parse(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None or not 1700 <= parsed.year <= 4000:
        return None
    return parsed


def temporal_literal(kind: str, value, problems: Problems, where: str, message: str) -> str | None:
    """A date or datetime as Salesforce writes it (UTC as Z), or None with `message` added as the problem."""
    parsed = date_parse(value) if kind == "date" else datetime_parse(value)
    if parsed is None:
        problems.add(where, f"invalid_{kind}", message)
        return None
    return parsed.isoformat().replace("+00:00", "Z")


def fls_message(sobject: str, name: str, user: str, *, creating: bool) -> str:
    verb = "create" if creating else "edit"
    return (
        f"{user} may not {verb} {sobject}.{name} (field-level security, or a field Salesforce computes). "
        f"To fix it: Setup › Object Manager › {sobject} › Fields & Relationships › {name} › Set Field-Level "
        f"Security, make it editable for {user}'s profile (or a permission set), or act as another user."
    )


def fields_check(
    describe: dict | None,
    values: dict,
    *,
    sobject: str,
    creating: bool,
    user: str,
    prefixes: dict[str, str],
    problems: Problems | None = None,
) -> dict:
    """`values` (API names, any case) checked and converted; every problem raised together as a Refusal."""
    problems = problems or Problems()
    by_name = fields_by_name(describe)
    cleaned: dict = {}
    for key, value in values.items():
        f = field_lookup(by_name, key) if isinstance(key, str) else None
        if f is None:
            suggestion = closest(key, list(by_name)) if isinstance(key, str) else None
            hint = f" Did you mean {suggestion}?" if suggestion else ""
            problems.add(
                str(key),
                "unknown_field",
                f"{sobject} has no field {key} that {user} can see (it does not "
                f"exist, or field-level security hides it).{hint}",
                suggestion=suggestion,
                salesforce_code="INVALID_FIELD",
            )
            continue
        writable = f.get("createable") if creating else f.get("updateable")
        if not writable or f.get("calculated") or f.get("autoNumber"):
            problems.add(
                f["name"],
                "field_not_writable",
                fls_message(sobject, f["name"], user, creating=creating),
                salesforce_code="INVALID_FIELD_FOR_INSERT_UPDATE",
            )
            continue
        if value is None or value == "":
            if not f.get("nillable") and f.get("type") != "boolean":
                problems.add(
                    f["name"],
                    "required_field_missing",
                    f"{f['name']} cannot be empty on {sobject}.",
                    salesforce_code="REQUIRED_FIELD_MISSING",
                )
                continue
            cleaned[f["name"]] = None
            continue
        checked = value_check(f, value, problems, user=user, prefixes=prefixes)
        if checked is not None:
            cleaned[f["name"]] = checked
    if creating:
        for f in by_name.values():
            required = f.get("createable") and not f.get("nillable") and not f.get("defaultedOnCreate")
            if required and f.get("type") != "boolean" and f["name"] not in cleaned:
                problems.add(
                    f["name"],
                    "required_field_missing",
                    f"{sobject} requires {f['name']} on create.",
                    salesforce_code="REQUIRED_FIELD_MISSING",
                )
    problems.raise_if_any(sobject)
    return cleaned
