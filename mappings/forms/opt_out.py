from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import drift_reason, field_lookup, fields_by_name, typed_field_clean, writable_fields
from mappings.forms.widgets import FieldSelect, field_choices


def checkbox_fields(describe: dict | None) -> list[dict]:
    # Updateable too: we tick it when a prospect texts STOP.
    return [f for f in writable_fields(describe, update=True) if f.get("type") == "boolean"]


def opt_out_target_clean(describe: dict | None, name: str) -> str:
    """The canonical API name of a checkbox we may tick; "" for none; unchecked when metadata is unknown."""
    try:
        return typed_field_clean(describe, name, types={"boolean"}, choose="a checkbox field")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class OptOutForm(forms.Form):
    contact_field = forms.CharField(label="Contact field", required=False)
    lead_field = forms.CharField(label="Lead field", required=False)

    def __init__(self, *args, describes: dict[str, dict | None], current: dict[str, str | None], readonly: bool, **kw):
        super().__init__(
            *args,
            initial={"contact_field": current.get("Contact") or "", "lead_field": current.get("Lead") or ""},
            **kw,
        )
        self.describes = describes
        for sobject in ("Contact", "Lead"):
            name = f"{sobject.lower()}_field"
            targets = checkbox_fields(describes.get(sobject))
            self.fields[name].widget = FieldSelect(
                choices=field_choices(targets, current=[current.get(sobject) or ""], blank="— none —"),
                sf_fields={f["name"]: f for f in targets},
            )
            self.fields[name].disabled = readonly
        self.drift = {}
        for sobject, name in current.items():
            describe = describes.get(sobject)
            if name and describe is not None:
                reason = drift_reason(field_lookup(fields_by_name(describe), name), update=True)
                if reason:
                    self.drift[f"{sobject.lower()}_field"] = reason

    def field_rows(self):
        return [(self[name], self.drift.get(name)) for name in ("contact_field", "lead_field")]

    def _clean_field(self, sobject: str) -> str:
        return opt_out_target_clean(self.describes.get(sobject), self.cleaned_data[f"{sobject.lower()}_field"])

    def clean_contact_field(self) -> str:
        return self._clean_field("Contact")

    def clean_lead_field(self) -> str:
        return self._clean_field("Lead")

    def rows(self) -> list[dict]:
        return [
            {"sobject": "Contact", "target_field": self.cleaned_data["contact_field"] or None},
            {"sobject": "Lead", "target_field": self.cleaned_data["lead_field"] or None},
        ]
