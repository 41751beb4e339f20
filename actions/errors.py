"""Salesforce's refusals, said so a person can act on them; Salesforce's own code is kept beside ours."""

from __future__ import annotations

from actions.checks import Refusal, fls_message
from mappings.compat import field_lookup, fields_by_name, picklist_values

TRANSLATIONS = {
    # Salesforce code: (HTTP status, our code)
    "MALFORMED_ID": (400, "invalid_id"),
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": (400, "invalid_picklist_value"),
    "FIELD_INTEGRITY_EXCEPTION": (400, "field_integrity"),
    "INVALID_FIELD_FOR_INSERT_UPDATE": (403, "field_not_writable"),
    "INVALID_FIELD": (400, "unknown_field"),
    "INVALID_CROSS_REFERENCE_KEY": (400, "invalid_reference"),
    "ENTITY_IS_DELETED": (404, "record_deleted"),
    "NOT_FOUND": (404, "record_not_found"),
    "REQUIRED_FIELD_MISSING": (400, "required_field_missing"),
    "STRING_TOO_LONG": (400, "string_too_long"),
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": (422, "validation_rule"),
    "INSUFFICIENT_ACCESS_OR_READONLY": (403, "insufficient_access"),
    "CANNOT_UPDATE_CONVERTED_LEAD": (400, "converted_lead"),
    "DUPLICATES_DETECTED": (409, "duplicates_detected"),
    "DUPLICATE_VALUE": (409, "duplicate_value"),
    "REQUEST_LIMIT_EXCEEDED": (429, "api_limit_reached"),
    "INVALID_SESSION_ID": (409, "reconnect_required"),
    "RECONNECT_REQUIRED": (409, "reconnect_required"),
    "invalid_grant": (409, "reconnect_required"),
}
TRANSIENT = (503, "salesforce_unavailable")
"""Row locks and 5xx that persisted through every retry."""


def translate(
    *,
    code: str,
    message: str,
    fields: list[str],
    sobject: str,
    describe: dict | None,
    user: str,
    transient: bool = False,
    link: str = "",
) -> Refusal:
    """Our error for what Salesforce answered when the call was made."""
    status, ours = TRANSLATIONS.get(code, TRANSIENT if transient else (400, "salesforce_error"))
    names = ", ".join(fields)
    items: list[dict] = []
    text = f"Salesforce refused the {sobject or 'request'}: {message}"
    if ours == "invalid_picklist_value" and fields:
        f = field_lookup(fields_by_name(describe), fields[0])
        valid = picklist_values(f) if f else []
        text = f"{message} Valid values of {fields[0]}: {', '.join(valid) or 'none active'}."
        items = [{"field": fields[0], "code": ours, "message": text, "valid_values": valid}]
    elif ours == "field_not_writable":
        text = " ".join(fls_message(sobject, name, user, creating=False) for name in fields or ["a field"])
    elif ours == "validation_rule":
        text = f"A validation rule on {sobject} refused the record: “{message}”" + (
            f" (field {names})." if names else ". Change the values, or ask your Salesforce admin about the rule."
        )
    elif ours == "reconnect_required":
        text = f"Salesforce no longer accepts this connection ({message}); reconnect it on the Integrations page"
        text += f": {link}" if link else "."
    elif ours == "api_limit_reached":
        text = (
            "The Salesforce org has used its daily API allocation. Salesforce counts a rolling 24 hours, so "
            "budget returns as the oldest calls age out; try again later."
        )
    elif ours == "salesforce_unavailable":
        text = f"Salesforce kept failing ({code}: {message}) through every retry. Nothing was written; try again."
    elif ours in ("record_deleted", "record_not_found"):
        text = f"The {sobject} record is not there any more (deleted, or not visible to {user}). {message}"
    elif ours == "invalid_reference":
        text = f"{names or 'An id'}: no such record that {user} can see ({message})."
    elif ours == "required_field_missing":
        text = f"{sobject} requires {names or 'a field'}: {message}"
    elif ours == "insufficient_access":
        text = f"{user} may not edit this {sobject} record (sharing or object permissions): {message}"
    return Refusal(status, ours, text, items=items, salesforce_code=code, fields=fields, link=link)
