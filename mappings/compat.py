"""Which Salesforce fields a mapping may target, read from describe metadata.

A field the connected user cannot see (field-level security) is absent from its describe, so "not in describe"
means "hidden" as much as "deleted"; both are treated the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mappings.types import ValueKind

KIND_TARGET_TYPES: dict[str, frozenset[str]] = {
    ValueKind.TEXT: frozenset({"string", "textarea", "combobox", "picklist", "encryptedstring"}),
    ValueKind.LONG_TEXT: frozenset({"textarea", "string", "encryptedstring"}),
    ValueKind.URL: frozenset({"url", "string", "textarea"}),
    ValueKind.PHONE: frozenset({"phone", "string", "textarea"}),
    ValueKind.EMAIL: frozenset({"email", "string", "textarea"}),
    ValueKind.NUMBER: frozenset({"int", "double", "currency", "percent", "string"}),
    ValueKind.DATETIME: frozenset({"datetime", "date"}),
    ValueKind.BOOLEAN: frozenset({"boolean"}),
    ValueKind.USER_ID: frozenset({"reference"}),
}
"""Salesforce field types each kind of our variables may fill."""

CONSTANT_TYPES = frozenset(
    {
        "string", "textarea", "combobox", "picklist", "multipicklist", "email", "phone", "url", "encryptedstring",
        "boolean", "int", "double", "currency", "percent", "date", "datetime",
    }
)  # fmt: skip
"""Field types a typed-in constant can fill (references and compound fields cannot)."""

STRING_LIKE = frozenset(
    {"string", "textarea", "combobox", "picklist", "multipicklist", "email", "phone", "url", "encryptedstring"}
)


def fields_by_name(describe: dict | None) -> dict[str, dict]:
    return {f["name"]: f for f in (describe or {}).get("fields", [])}


def field_lookup(fields: dict[str, dict], name: str) -> dict | None:
    """Salesforce API names are case-insensitive: `sb_RecordingUrl__c` and `sb_recordingurl__c` are one field."""
    found = fields.get(name)
    if found is not None:
        return found
    lowered = name.lower()
    return next((f for n, f in fields.items() if n.lower() == lowered), None)


def field_label(field: dict) -> str:
    label = field.get("label") or field["name"]
    return field["name"] if label == field["name"] else f"{label} ({field['name']})"


def field_is_writable(field: dict, *, update: bool = False) -> bool:
    if field.get("deprecatedAndHidden") or field.get("calculated") or field.get("autoNumber"):
        return False
    if not field.get("createable"):
        return False
    return bool(field.get("updateable")) if update else True


def is_restricted_picklist(field: dict) -> bool:
    return field.get("type") in ("picklist", "multipicklist") and bool(field.get("restrictedPicklist"))


def picklist_values(field: dict) -> list[str]:
    """Active values, in the org's order."""
    return [p["value"] for p in field.get("picklistValues") or [] if p.get("active", True)]


def picklist_options(field: dict) -> list[tuple[str, str]]:
    """(value, label) of the active values, in the org's order; a combobox's suggestions count too."""
    return [
        (p["value"], p.get("label") or p["value"]) for p in field.get("picklistValues") or [] if p.get("active", True)
    ]


def picklist_default(field: dict) -> str:
    """The value the org preselects for a new record, or "" when it has none."""
    active = (p for p in field.get("picklistValues") or [] if p.get("active", True))
    return next((p["value"] for p in active if p.get("defaultValue")), "")


def offers_values(field: dict | None) -> bool:
    """Whether a fixed value for this field is chosen from a list (picklists, and comboboxes with suggestions)."""
    if field is None:
        return False
    ftype = field.get("type")
    return ftype in ("picklist", "multipicklist") or (ftype == "combobox" and bool(picklist_options(field)))


def field_accepts_kind(field: dict, kind: str, *, translated: bool = False) -> bool:
    """Whether one of our variables of `kind` may fill `field`; `translated`: with value translations into the
    field's own values, which lets our text into a restricted picklist."""
    ftype = field.get("type")
    if ftype not in KIND_TARGET_TYPES[kind]:
        return False
    if kind == ValueKind.USER_ID:
        return "User" in (field.get("referenceTo") or [])
    # Our free text cannot be trusted to be one of a restricted picklist's values, unless translated into them.
    return translated or not is_restricted_picklist(field)


def field_accepts_constant(field: dict) -> bool:
    return field.get("type") in CONSTANT_TYPES


def writable_fields(describe: dict | None, *, update: bool = False, exclude: Iterable[str] = ()) -> list[dict]:
    """Fields the connected user can set, sorted by label; `exclude` names fields another part of us owns."""
    excluded = {name.lower() for name in exclude}
    found = [
        f
        for f in fields_by_name(describe).values()
        if field_is_writable(f, update=update) and f["name"].lower() not in excluded
    ]
    return sorted(found, key=lambda f: (str(f.get("label") or f["name"]).lower(), f["name"]))


def fields_for_kind(describe: dict | None, kind: str, *, update: bool = False, exclude: Iterable[str] = ()):
    return [f for f in writable_fields(describe, update=update, exclude=exclude) if field_accepts_kind(f, kind)]


def required_on_create(describe: dict | None) -> list[dict]:
    """Fields Salesforce rejects a create without: createable, not nillable, no default on create."""
    return [
        f
        for f in fields_by_name(describe).values()
        if f.get("createable") and not f.get("nillable") and not f.get("defaultedOnCreate")
    ]


FIELD_GONE = "This field no longer exists in Salesforce or is hidden from the connected user."
FIELD_NOT_WRITABLE = "This field is no longer writable for the connected user."
"""The two drift reasons, as people read them. A write that leaves a field out says "<field> skipped: <reason>" in
its attempt's message; the settings pages count the structured copy (WritebackAttempt.skipped_fields), not this text."""


def drift_reason(field: dict | None, *, update: bool = False) -> str | None:
    """Why a saved mapping onto this field would fail at write time, or None when it is fine."""
    if field is None:
        return FIELD_GONE
    if not field_is_writable(field, update=update):
        return FIELD_NOT_WRITABLE
    return None


def typed_field_clean(describe: dict | None, name: str, *, types: Iterable[str], choose: str) -> str:
    """The canonical API name of an updateable field of one of `types` ("" for none); unchecked without metadata.

    Raises ValueError with a message for the admin: the field is gone, not writable, or of another type."""
    name = (name or "").strip()
    if not name or describe is None:
        return name
    field = field_lookup(fields_by_name(describe), name)
    reason = drift_reason(field, update=True)
    if reason:
        raise ValueError(reason)
    if field.get("type") not in types:
        raise ValueError(f"{field_label(field)} is a {field.get('type')} field; choose {choose}.")
    return field["name"]


# -- SMS opt-out checkboxes ---------------------------------------------------------------------------------------
OPT_OUT_LIKE = re.compile(r"opt(ed)?[\s_-]*out|unsubscri|do[\s_-]*not|dnc|\bstop|no[\s_-]*(sms|text)", re.IGNORECASE)
"""Names and labels that say "does not want to be contacted" (SMS Opt Out, HasOptedOutOfEmail, DoNotCall, ...)."""
SMS_LIKE = re.compile(r"sms|text", re.IGNORECASE)
SEQUENCE_STATE = re.compile(r"activeinsequence|active[\s_-]*in[\s_-]*sequence", re.IGNORECASE)
"""Our "Active in Sequence" checkbox: ticking it on STOP would put the prospect back into sequences' reports."""


def opt_out_like(field: dict) -> bool:
    text = f"{field['name']} {field.get('label') or ''}"
    return bool(OPT_OUT_LIKE.search(text)) and not SEQUENCE_STATE.search(text)


def sms_opt_out_fields(describe: dict | None, *, exclude: Iterable[str] = ()) -> list[dict]:
    """Checkboxes we may tick that read like an opt-out, SMS ones first; `exclude` names fields holding something
    else (the sequence fields)."""
    excluded = {name.lower() for name in exclude}
    found = [
        f
        for f in writable_fields(describe, update=True)  # updateable too: we tick it when a prospect texts STOP
        if f.get("type") == "boolean" and opt_out_like(f) and f["name"].lower() not in excluded
    ]
    return sorted(found, key=lambda f: not SMS_LIKE.search(f"{f['name']} {f.get('label') or ''}"))


def sms_like(field: dict) -> bool:
    """An opt-out checkbox about texting in particular (SMS Opt Out), not calls or email."""
    return bool(SMS_LIKE.search(f"{field['name']} {field.get('label') or ''}"))
