"""Account Mappings › Creation Defaults › LinkedIn Company Mappings: which Account field each piece of LinkedIn
company data fills, with a value for when it is unknown. The section's other rows are the "Other Defaults" form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import (
    drift_reason,
    field_accepts_kind,
    field_label,
    field_lookup,
    fields_by_name,
    fields_for_kind,
    is_restricted_picklist,
    required_on_create,
)
from mappings.forms.creation import reserved_for
from mappings.forms.widgets import FieldSelect, field_choices
from mappings.types import CREATION_VARIABLES, ValueKind, ValueSource
from mappings.values import InvalidValue, constant_clean

COMPANY_KEYS = tuple(key for key in CREATION_VARIABLES if key.startswith("company."))
"""The LinkedIn company data, in the order the guide lists it."""


def account_rows_split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(LinkedIn company rows, other rows) of the saved Account defaults: the first row filling each piece of
    company data is its LinkedIn mapping; everything else (fixed values, a second field for the same data) is an
    Other Default, so no saved row is hidden by the split."""
    linkedin, other, seen = [], [], set()
    for row in rows:
        key = row["value"] if row["source"] == ValueSource.VARIABLE else None
        if key in COMPANY_KEYS and key not in seen:
            seen.add(key)
            linkedin.append(row)
        else:
            other.append(row)
    return linkedin, other


def kind_mismatch(variable, field: dict) -> str:
    if is_restricted_picklist(field):
        return f"{field_label(field)} is a restricted picklist: only its own values fit. Set it under Other Defaults."
    kind = ValueKind(variable.kind).label.lower()
    return f"{variable.label} is {kind}; {field_label(field)} is a {field.get('type')} field."


class CompanyMappingForm(forms.Form):
    """One line per piece of company data: the Account field it fills (or none) and its "If unknown" value."""

    def __init__(self, *args, describe: dict | None, rows: list[dict], others: list[dict], readonly: bool, **kwargs):
        current = {row["value"]: row for row in rows}
        initial = {}
        for key in COMPANY_KEYS:
            row = current.get(key)
            initial[f"{key}-field"] = row["target_field"] if row else ""
            initial[f"{key}-fallback"] = row.get("fallback", "") if row else ""
        super().__init__(*args, prefix="company", initial=initial, **kwargs)
        self.describe = describe
        self.sf_fields = fields_by_name(describe) if describe is not None else None
        self.others = others
        reserved = reserved_for("Account")
        self.lines = []
        for key in COMPANY_KEYS:
            variable = CREATION_VARIABLES[key]
            targets = fields_for_kind(describe, variable.kind, exclude=reserved)
            saved = initial[f"{key}-field"]
            self.fields[f"{key}-field"] = forms.CharField(
                label=f"Account field for {variable.label}", required=False,
                widget=FieldSelect(choices=field_choices(targets, current=[saved], blank="— not mapped —"),
                                   sf_fields={f["name"]: f for f in targets}),
                disabled=readonly,
            )  # fmt: skip
            self.fields[f"{key}-fallback"] = forms.CharField(
                label=f"If {variable.label.lower()} is unknown", required=False, max_length=32000, disabled=readonly
            )
            drift = None
            if saved and self.sf_fields is not None:
                target = field_lookup(self.sf_fields, saved)
                drift = drift_reason(target)
                if drift is None and not field_accepts_kind(target, variable.kind):
                    drift = f"{field_label(target)} is now a {target.get('type')} field."
            self.lines.append((variable, f"{key}-field", f"{key}-fallback", drift))

    def field_rows(self):
        """(variable, field select, fallback box, drift) per piece of company data, for the template."""
        return [(variable, self[target], self[fallback], drift) for variable, target, fallback, drift in self.lines]

    def clean(self):
        cleaned = super().clean()
        taken = {row["target_field"].lower(): "one of the Other Defaults" for row in self.others}
        required = {f["name"].lower() for f in required_on_create(self.describe)}
        for variable, target_name, fallback_name, _ in self.lines:
            name = (cleaned.get(target_name) or "").strip()
            fallback = (cleaned.get(fallback_name) or "").strip()
            cleaned[fallback_name] = fallback
            if not name:
                cleaned[target_name] = ""
                continue
            if self.sf_fields is not None:
                field = field_lookup(self.sf_fields, name)
                reason = drift_reason(field)
                if reason:
                    self.add_error(target_name, reason)
                    continue
                if not field_accepts_kind(field, variable.kind):
                    self.add_error(target_name, kind_mismatch(variable, field))
                    continue
                name = field["name"]
                if fallback:
                    try:
                        cleaned[fallback_name] = constant_clean(field, fallback)
                    except InvalidValue as exc:
                        self.add_error(fallback_name, str(exc))
                if name.lower() in required and not fallback:
                    self.add_error(
                        fallback_name, "Salesforce requires this field: enter a value for when it is unknown."
                    )
            if name.lower() in reserved_for("Account"):
                self.add_error(target_name, f"{name} is set by Switchboard itself and cannot be mapped.")
                continue
            if name.lower() in taken:
                self.add_error(target_name, f"{name} is already filled by {taken[name.lower()]}.")
                continue
            taken[name.lower()] = variable.label
            cleaned[target_name] = name
        if not self.errors:
            gaps = [f for f in required_on_create(self.describe) if f["name"].lower() not in taken]
            gaps = [f for f in gaps if f["name"].lower() not in {n.lower() for n in reserved_for("Account")}]
            if gaps:
                raise ValidationError(
                    f"Salesforce requires these Account fields and nothing fills them: "
                    f"{', '.join(field_label(f) for f in gaps)}. Map LinkedIn data onto them, or set them under "
                    "Other Defaults."
                )
        return cleaned

    def rows(self) -> list[dict]:
        rows = []
        for key in COMPANY_KEYS:
            name = self.cleaned_data.get(f"{key}-field")
            if name:
                rows.append({"target_field": name, "source": ValueSource.VARIABLE, "value": key,
                             "fallback": self.cleaned_data.get(f"{key}-fallback", "")})  # fmt: skip
        return rows

    def rows_valid(self) -> list[dict]:
        """After a refused save, the lines that passed (for the preview of the submitted edit)."""
        return self.rows()
