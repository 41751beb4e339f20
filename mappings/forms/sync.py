"""Which custom fields are synced inbound, as what, and whether lists may filter on them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import field_lookup, fields_by_name

UNSYNCABLE_TYPES = frozenset({"address", "location", "base64", "complexvalue"})
"""Compound and binary fields; their parts (or nothing) are synced instead."""


def is_custom(field: dict) -> bool:
    # Some describes (managed packages, older API versions) report `custom: false` on `__c` fields.
    return bool(field.get("custom")) or field["name"].endswith("__c")


def custom_fields(describe: dict | None) -> list[dict]:
    fields = [
        f
        for f in fields_by_name(describe).values()
        if is_custom(f) and f.get("type") not in UNSYNCABLE_TYPES and not f.get("deprecatedAndHidden")
    ]
    return sorted(fields, key=lambda f: str(f.get("label") or f["name"]).lower())


class SyncRowForm(forms.Form):
    field_name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    sync = forms.BooleanField(label="Sync", required=False)
    display_name = forms.CharField(label="Display name", required=False, max_length=120)
    filterable = forms.BooleanField(label="Filterable", required=False)

    def __init__(self, *args, sf_fields: dict[str, dict] | None, saved: dict[str, dict], readonly: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields
        self.saved = saved
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def sf_field(self) -> dict | None:
        name = self.cleaned_data.get("field_name")
        return field_lookup(self.sf_fields, name) if name and self.sf_fields is not None else None

    def clean_field_name(self) -> str:
        name = self.cleaned_data["field_name"]
        if self.sf_fields is not None and field_lookup(self.sf_fields, name) is None and name not in self.saved:
            raise ValidationError("This field does not exist in Salesforce or is hidden from the connected user.")
        return name

    def clean_display_name(self) -> str:
        return self.cleaned_data["display_name"].strip()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("sync"):
            return cleaned
        if not cleaned.get("display_name"):
            self.add_error("display_name", "Enter the name people will see for this field.")
        field = self.sf_field()
        if cleaned.get("filterable") and field is not None and not field.get("filterable", True):
            self.add_error("filterable", "Salesforce cannot filter on this field.")
        return cleaned

    def row(self) -> dict:
        field = self.sf_field()
        name = self.cleaned_data["field_name"]
        return {
            "field_name": field["name"] if field else name,
            "display_name": self.cleaned_data["display_name"],
            "filterable": self.cleaned_data["filterable"],
            "field_type": field.get("type", "") if field else self.saved.get(name, {}).get("field_type", ""),
        }


class SyncFormSet(forms.BaseFormSet):
    def clean(self):
        seen: dict[str, str] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if not data.get("sync") or not data.get("display_name"):
                continue
            key = data["display_name"].lower()
            if key in seen:
                form.add_error("display_name", f"“{data['display_name']}” is already the name of {seen[key]}.")
            else:
                seen[key] = data["field_name"]

    def rows(self) -> list[dict]:
        return [form.row() for form in self.forms if form.cleaned_data.get("sync")]


SyncFormSetBase = forms.formset_factory(SyncRowForm, formset=SyncFormSet, extra=0)


def sync_formset(data=None, *, sobject: str, describe: dict | None, mappings, readonly: bool) -> SyncFormSet:
    saved = {m.field_name: {"field_type": m.field_type} for m in mappings}
    by_name = {m.field_name: m for m in mappings}
    initial = []
    for field in custom_fields(describe):
        mapping = by_name.pop(field["name"], None)
        initial.append(
            {
                "field_name": field["name"],
                "sync": mapping is not None,
                "display_name": mapping.display_name if mapping else field.get("label") or field["name"],
                "filterable": mapping.filterable if mapping else False,
                "label": field.get("label"),
                "type": field.get("type"),
                "can_filter": field.get("filterable", True),
                "missing": False,
            }
        )
    for mapping in by_name.values():  # synced but gone from the org (or from the connected user's view)
        initial.append(
            {
                "field_name": mapping.field_name,
                "sync": True,
                "display_name": mapping.display_name,
                "filterable": mapping.filterable,
                "label": mapping.field_name,
                "type": mapping.field_type,
                "can_filter": True,
                "missing": describe is not None,
            }
        )
    return SyncFormSetBase(
        data,
        prefix=f"sync-{sobject.lower()}",
        initial=initial,
        form_kwargs={
            "sf_fields": fields_by_name(describe) if describe is not None else None,
            "saved": saved,
            "readonly": readonly,
        },
    )
