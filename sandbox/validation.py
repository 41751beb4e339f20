"""Validation rules, as an admin adds them in Setup: an object, a condition on the record's field values, an error
message and optionally the field it is shown at. A write whose resulting record meets the condition is refused
with FIELD_CUSTOM_VALIDATION_EXCEPTION and the rule's own message, as Salesforce does.

Salesforce rules are formulas that evaluate to true when the record is invalid; here the formula is a simple
condition, or a list of them that must all hold: ``{"field": "StageName", "op": "=", "value": "Closed Won"}``.
Operators: = != < > <= >= (values compared by type; a blank field meets none of them), ``is_blank``,
``not_blank``, ``contains``, ``starts_with`` (text, case-sensitive like formula functions).
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import ControlError, DmlError
from sandbox.schema.model import SObjectSpec

OPERATORS = frozenset({"=", "!=", "<", ">", "<=", ">=", "is_blank", "not_blank", "contains", "starts_with"})


def rule_parse(spec: SObjectSpec, body: dict[str, Any]) -> dict[str, Any]:
    """A rule from a control-API body; ControlError names what is wrong with it."""
    name = body.get("name")
    message = body.get("message")
    if not isinstance(name, str) or not name.strip():
        raise ControlError("'name' (the rule's name) is required")
    if not isinstance(message, str) or not message.strip():
        raise ControlError("'message' (the error shown to the user) is required")
    raw = body.get("condition")
    conditions = raw if isinstance(raw, list) else [raw]
    if not conditions or not all(isinstance(c, dict) for c in conditions):
        raise ControlError("'condition' must be {field, op, value} or a list of them (all must hold)")
    parsed = []
    for c in conditions:
        f = spec.get(str(c.get("field") or ""))
        if f is None:
            raise ControlError(f"{spec.name} has no field {c.get('field')!r}")
        op = c.get("op", "=")
        if op not in OPERATORS:
            raise ControlError(f"unknown op {op!r}; one of {', '.join(sorted(OPERATORS))}")
        parsed.append({"field": f.name, "op": op, "value": c.get("value")})
    error_field = body.get("error_field")
    if error_field is not None:
        f = spec.get(str(error_field))
        if f is None:
            raise ControlError(f"{spec.name} has no field {error_field!r} (error_field)")
        error_field = f.name
    return {"name": name.strip(), "sobject": spec.name, "conditions": parsed, "message": message,
            "error_field": error_field, "active": bool(body.get("active", True))}  # fmt: skip


def _holds(condition: dict[str, Any], row: dict[str, Any]) -> bool:
    value, op, wanted = row.get(condition["field"]), condition["op"], condition["value"]
    blank = value is None or value == ""
    if op == "is_blank":
        return blank
    if op == "not_blank":
        return not blank
    if blank:
        return op == "!=" and wanted not in (None, "")
    if op in ("contains", "starts_with"):
        text, part = str(value), str(wanted)
        return part in text if op == "contains" else text.startswith(part)
    if isinstance(value, bool) or isinstance(wanted, bool):
        value, wanted = str(value).lower(), str(wanted).lower()
    elif isinstance(value, int | float) and not isinstance(wanted, int | float):
        try:
            wanted = float(wanted)
        except (TypeError, ValueError):
            return op == "!="
    elif not isinstance(value, int | float):
        value, wanted = str(value), str(wanted)
    try:
        return {"=": value == wanted, "!=": value != wanted, "<": value < wanted, ">": value > wanted,
                "<=": value <= wanted, ">=": value >= wanted}[op]  # fmt: skip
    except TypeError:
        return False


def rules_check(rules: list[dict[str, Any]], sobject: str, row: dict[str, Any]) -> None:
    """Raise Salesforce's error for the first active rule of `sobject` the record breaks."""
    for rule in rules:
        if rule["sobject"] == sobject and rule["active"] and all(_holds(c, row) for c in rule["conditions"]):
            fields = [rule["error_field"]] if rule["error_field"] else []
            raise DmlError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule["message"], fields)
