"""Saved mappings that would fail at write time because the org changed (schema drift), said on the page first."""

from __future__ import annotations

from mappings.compat import (
    drift_reason,
    field_accepts_kind,
    field_label,
    field_lookup,
    fields_by_name,
    is_restricted_picklist,
)
from mappings.text_templates import TemplateError, template_check_target, template_parse
from mappings.types import TASK_VARIABLES, ValueKind, ValueSource
from mappings.values import InvalidValue, constant_clean


def _row_drift(mapping, fields: dict[str, dict], variables: dict) -> str | None:
    field = field_lookup(fields, mapping.target_field)
    reason = drift_reason(field)
    if reason:
        return reason
    if mapping.source == ValueSource.CONSTANT:
        return _value_drift(field, mapping.value, "")
    if mapping.source == ValueSource.TEMPLATE:
        try:
            template_check_target(field, template_parse(mapping.value, variables))
        except TemplateError as exc:  # the field was retyped, shortened or restricted; or a variable is gone
            return str(exc)
        return _value_drift(field, getattr(mapping, "fallback", ""), "If unknown value ")
    variable = variables.get(mapping.value)
    table = mapping.translation_table() if hasattr(mapping, "translation_table") else {}
    translated = bool(table)
    if variable is not None and not field_accepts_kind(field, variable.kind, translated=translated):  # retyped
        if is_restricted_picklist(field):
            return f"{field_label(field)} is now a restricted picklist: {variable.label} cannot be trusted to fit it."
        kind = ValueKind(variable.kind).label.lower()
        return f"{variable.label} is {kind}; {field_label(field)} is now a {field.get('type')} field."
    for theirs in table.values():  # e.g. a translation's picklist value was deactivated
        reason = _value_drift(field, theirs, "Translated value ")
        if reason:
            return reason
    # A creation default's "If unknown" value goes into the same field, so it drifts like a fixed value.
    return _value_drift(field, getattr(mapping, "fallback", ""), "If unknown value ")


def _value_drift(field: dict, value: str, what: str) -> str | None:
    if not value:
        return None
    try:
        constant_clean(field, value)
    except InvalidValue as exc:  # e.g. a picklist value deactivated, or the field shortened or retyped
        return f"{what}“{value}” no longer fits this field: {exc}"
    return None


def mapping_drift(mappings, describe: dict | None, *, variables: dict = TASK_VARIABLES) -> dict[str, str]:
    """Saved target field → why it would fail at write time (empty when metadata is unknown)."""
    if describe is None:
        return {}
    fields = fields_by_name(describe)
    found = {m.target_field: _row_drift(m, fields, variables) for m in mappings}
    return {name: reason for name, reason in found.items() if reason}
