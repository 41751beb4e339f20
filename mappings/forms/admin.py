"""Django admin forms for the settings rows: the checks the settings pages make, against the cached describe.

Staff edit one row at a time, so checks that need the whole section (required-field gaps) stay on the pages;
everything that can be said about one row is said here, as a form error rather than a failure at write time.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import (
    field_label,
    field_lookup,
    fields_by_name,
    is_restricted_picklist,
    offers_values,
    picklist_options,
    required_on_create,
)
from mappings.forms.advanced import linkedin_url_field_clean
from mappings.forms.creation import CreationRowForm, reserved_for
from mappings.forms.opt_out import opt_out_target_clean
from mappings.forms.rows import MappingRowForm
from mappings.forms.sequence import sequence_target_clean
from mappings.forms.sync import UNSYNCABLE_TYPES, is_custom
from mappings.metadata import describe_cached
from mappings.models import (
    CreationDefault,
    CrmSettings,
    OptOutField,
    SequenceFieldMapping,
    SyncFieldMapping,
    TaskFieldMapping,
)
from mappings.payloads import TASK_RESERVED_FIELDS
from mappings.types import CREATION_VARIABLES, TASK_VARIABLES, ValueSource

ROW_FIELD_TO_MODEL = {
    "target_field": "target_field", "source": "source", "variable": "value", "constant": "value", "template": "value",
}  # fmt: skip


class WorkspaceRowForm(forms.ModelForm):
    """Knows the row's workspace whether the field is edited or shown read-only."""

    def workspace(self):
        cleaned = getattr(self, "cleaned_data", {})
        if "workspace" in cleaned:
            return cleaned["workspace"]
        return self.instance.workspace if self.instance.workspace_id else None

    def error_on(self, name: str, errors) -> None:
        self.add_error(name if name in self.fields else None, errors)


def picklist_hint(field: dict) -> str:
    """What a fixed value for a picklist field may be, for staff typing it into a plain admin text box."""
    values = ", ".join(value for value, _ in picklist_options(field)) or "none"
    if is_restricted_picklist(field):
        return f"{field_label(field)} is a restricted picklist: a fixed value must be one of {values}."
    return f"{field_label(field)} offers {values}; other values are accepted too."


class MappingAdminForm(WorkspaceRowForm):
    row_form = MappingRowForm
    variables: dict = {}
    value_fields = ("value",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff edit one row in a text box; for a saved row onto a picklist, say which values fit before they save.
        row = self.instance
        if not row.pk or not row.workspace_id:
            return
        describe = describe_cached(workspace=row.workspace, sobject=self.saved_sobject())
        field = field_lookup(fields_by_name(describe), row.target_field) if describe is not None else None
        if offers_values(field):
            for name in self.value_fields:
                if name in self.fields:
                    self.fields[name].help_text = f"{self.fields[name].help_text} {picklist_hint(field)}".strip()

    def saved_sobject(self) -> str:
        return self.instance.sobject

    def sobject(self) -> str:
        return self.cleaned_data.get("sobject", "")

    def reserved(self) -> frozenset[str]:
        return frozenset()

    def row_data(self) -> dict:
        cleaned = self.cleaned_data
        value = cleaned.get("value") or ""
        source = cleaned.get("source", "")
        return {
            "target_field": cleaned.get("target_field", ""),
            "source": source,
            "variable": value.strip() if source == ValueSource.VARIABLE else "",
            "constant": value if source == ValueSource.CONSTANT else "",
            "template": value if source == ValueSource.TEMPLATE else "",
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        describe = describe_cached(workspace=self.workspace(), sobject=self.sobject())
        self.describe = describe
        row = self.row_form(
            self.row_data(),
            sf_fields=fields_by_name(describe) if describe is not None else None,
            targets=[],
            variables=self.variables,
            reserved=self.reserved(),
        )
        if not row.is_valid():
            for name, errors in row.errors.items():
                self.error_on(ROW_FIELD_TO_MODEL.get(name, name if name != "__all__" else None), errors)
            return cleaned
        cleaned["target_field"] = row.cleaned_data["target_field"]
        cleaned["value"] = row.value()
        self.row = row
        return cleaned


class TaskFieldMappingAdminForm(MappingAdminForm):
    variables = TASK_VARIABLES

    class Meta:
        model = TaskFieldMapping
        fields = ("workspace", "activity_kind", "target_field", "source", "value", "position")

    def sobject(self) -> str:
        return "Task"

    def saved_sobject(self) -> str:
        return "Task"

    def reserved(self) -> frozenset[str]:
        return TASK_RESERVED_FIELDS


class CreationDefaultAdminForm(MappingAdminForm):
    row_form = CreationRowForm
    variables = CREATION_VARIABLES
    value_fields = ("value", "fallback")

    class Meta:
        model = CreationDefault
        fields = ("workspace", "sobject", "target_field", "source", "value", "fallback", "position")

    def reserved(self) -> frozenset[str]:
        return reserved_for(self.sobject())

    def row_data(self) -> dict:
        return {**super().row_data(), "fallback": self.cleaned_data.get("fallback", "")}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["fallback"] = self.row.row()["fallback"]
        required = {f["name"].lower() for f in required_on_create(self.describe)}
        if (
            cleaned["source"] in (ValueSource.VARIABLE, ValueSource.TEMPLATE)
            and cleaned["target_field"].lower() in required
            and not cleaned["fallback"]
        ):
            self.add_error("fallback", "Salesforce requires this field: enter a value for when it is unknown.")
        return cleaned


class SequenceFieldMappingAdminForm(WorkspaceRowForm):
    class Meta:
        model = SequenceFieldMapping
        fields = ("workspace", "sobject", "purpose", "target_field")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        describe = describe_cached(workspace=self.workspace(), sobject=cleaned["sobject"])
        sf_fields = fields_by_name(describe) if describe is not None else None
        try:
            cleaned["target_field"] = sequence_target_clean(sf_fields, cleaned["purpose"], cleaned["target_field"])
        except ValidationError as exc:
            self.add_error("target_field", exc)
        return cleaned


class OptOutFieldAdminForm(WorkspaceRowForm):
    class Meta:
        model = OptOutField
        fields = ("workspace", "sobject", "target_field")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        describe = describe_cached(workspace=self.workspace(), sobject=cleaned["sobject"])
        try:
            cleaned["target_field"] = opt_out_target_clean(describe, cleaned.get("target_field") or "") or None
        except ValidationError as exc:
            self.add_error("target_field", exc)
        return cleaned


class SyncFieldMappingAdminForm(WorkspaceRowForm):
    class Meta:
        model = SyncFieldMapping
        fields = ("workspace", "sobject", "field_name", "display_name", "filterable", "field_type")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        describe = describe_cached(workspace=self.workspace(), sobject=cleaned["sobject"])
        if describe is None:
            return cleaned
        field = field_lookup(fields_by_name(describe), cleaned["field_name"].strip())
        if field is None:
            self.add_error(
                "field_name", "This field does not exist in Salesforce or is hidden from the connected user."
            )
        elif not is_custom(field) or field.get("type") in UNSYNCABLE_TYPES:
            self.add_error("field_name", f"{field_label(field)} is not a custom field that can be synced.")
        else:
            cleaned["field_name"] = field["name"]
            cleaned["field_type"] = field.get("type", "")
            if cleaned.get("filterable") and not field.get("filterable", True):
                self.add_error("filterable", "Salesforce cannot filter on this field.")
        return cleaned


class CrmSettingsAdminForm(WorkspaceRowForm):
    class Meta:
        model = CrmSettings
        fields = (
            "workspace", "log_mode", "new_prospect_as", "linkedin_url_field_contact", "linkedin_url_field_lead",
            "api_budget_percent",
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        workspace = self.workspace()
        for sobject in ("Contact", "Lead"):
            name = f"linkedin_url_field_{sobject.lower()}"
            if name not in cleaned:
                continue
            describe = describe_cached(workspace=workspace, sobject=sobject)
            try:
                cleaned[name] = linkedin_url_field_clean(describe, cleaned[name])
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned
