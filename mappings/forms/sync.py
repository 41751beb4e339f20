"""Data Sync Mappings: which custom fields are synced inbound, as what, and whether lists may filter on them.

The page lists the synced fields; "+ Add Custom Field Mapping" adds a row choosing one more."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import field_label, field_lookup, fields_by_name
from mappings.forms.formsets import RowFormSet
from mappings.forms.widgets import FieldSelect, field_choices

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
    field_name = forms.CharField(label="Salesforce field", max_length=255)
    display_name = forms.CharField(
        label="Display name", required=False, max_length=120, help_text="Blank: the field's label."
    )
    filterable = forms.BooleanField(label="Filterable", required=False)

    def __init__(self, *args, sf_fields: dict[str, dict] | None, targets: list[dict], saved: dict[str, dict],
                 readonly: bool, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields
        self.saved = saved
        current = [self.initial.get("field_name", "")]
        self.fields["field_name"].widget = FieldSelect(
            choices=field_choices(targets, current=current, blank="— choose a custom field —"),
            sf_fields={f["name"]: f for f in targets},
            attrs={"aria-label": "Salesforce field", "data-role": "sync-field"},
        )
        self.fields["display_name"].widget.attrs.update({"aria-label": "Display name"})
        self.fields["filterable"].widget.attrs.update({"aria-label": "Filterable"})
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def sf_field(self) -> dict | None:
        name = self.cleaned_data.get("field_name")
        return field_lookup(self.sf_fields, name) if name and self.sf_fields is not None else None

    def clean_field_name(self) -> str:
        name = self.cleaned_data["field_name"].strip()
        if self.sf_fields is None or name in self.saved:
            return name
        field = field_lookup(self.sf_fields, name)
        if field is None:
            raise ValidationError("This field does not exist in Salesforce or is hidden from the connected user.")
        if not is_custom(field) or field.get("type") in UNSYNCABLE_TYPES:
            raise ValidationError(f"{field_label(field)} is not a custom field that can be synced.")
        return field["name"]

    def clean(self):
        cleaned = super().clean()
        field = self.sf_field()
        if not (cleaned.get("display_name") or "").strip() and cleaned.get("field_name"):
            cleaned["display_name"] = str((field or {}).get("label") or cleaned["field_name"])[:120]
        else:
            cleaned["display_name"] = (cleaned.get("display_name") or "").strip()
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


class SyncFormSet(RowFormSet):
    field_key = "field_name"

    def clean(self):
        names: dict[str, int] = {}
        shown: dict[str, str] = {}
        for form in self.live_forms():
            data = getattr(form, "cleaned_data", {})
            name = data.get("field_name")
            if not name:
                continue
            if name.lower() in names:
                form.add_error("field_name", f"{name} is already synced in row {names[name.lower()] + 1}.")
                continue
            names[name.lower()] = self.forms.index(form)
            key = (data.get("display_name") or "").lower()
            if key in shown:
                form.add_error("display_name", f"“{data['display_name']}” is already the name of {shown[key]}.")
            elif key:
                shown[key] = name

    def rows(self) -> list[dict]:
        return [form.row() for form in self.live_forms() if form.is_valid()]


SyncFormSetBase = forms.formset_factory(SyncRowForm, formset=SyncFormSet, extra=0, can_delete=True)


def sync_formset(data=None, *, sobject: str, describe: dict | None, mappings, readonly: bool) -> SyncFormSet:
    saved = {m.field_name: {"field_type": m.field_type} for m in mappings}
    offered = {f["name"].lower() for f in custom_fields(describe)}
    initial = [
        {
            "field_name": m.field_name,
            "display_name": m.display_name,
            "filterable": m.filterable,
            # Synced but gone from the org (or from the connected user's view).
            "missing": describe is not None and m.field_name.lower() not in offered,
        }
        for m in mappings
    ]
    return SyncFormSetBase(
        data,
        prefix=f"sync-{sobject.lower()}",
        initial=initial,
        form_kwargs={
            "sf_fields": fields_by_name(describe) if describe is not None else None,
            "targets": custom_fields(describe),
            "saved": saved,
            "readonly": readonly,
        },
    )
