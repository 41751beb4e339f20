from __future__ import annotations

from django import forms

from mappings.compat import field_label, fields_by_name, required_on_create
from mappings.forms.rows import MappingFormSet, MappingRowForm, mapping_targets
from mappings.forms.task import mapping_initial
from mappings.forms.widgets import ValueInput
from mappings.models import CreationDefault
from mappings.payloads import ACCOUNT_RESERVED_FIELDS, PROSPECT_RESERVED_FIELDS
from mappings.text_templates import TemplateError, template_fixed_text, template_parse
from mappings.types import CREATION_VARIABLES, ValueSource
from mappings.values import InvalidValue, constant_clean

FROM_DATA = (ValueSource.VARIABLE, ValueSource.TEMPLATE)
"""Sources whose value may turn out empty, so an "If unknown" value applies."""


def _has_fixed_text(data: dict) -> bool:
    """A template with text of its own is never empty, so a required field needs no "If unknown" for it."""
    if data.get("source") != ValueSource.TEMPLATE:
        return False
    try:
        return bool(template_fixed_text(template_parse(data.get("template") or "", CREATION_VARIABLES)).strip())
    except TemplateError:
        return False


class CreationRowForm(MappingRowForm):
    fallback = forms.CharField(
        label="If unknown",
        required=False,
        max_length=32000,
        help_text="Used when the variable has no value.",
        widget=ValueInput(
            label="If unknown", other_label="Other fallback value", list_label="Fallback choice",
            blank_label="— nothing —", optional=True,
        ),
    )  # fmt: skip
    value_inputs = ("constant", "fallback")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fallback"].widget.attrs.update({"data-role": "fallback", "autocomplete": "off"})

    def clean_fallback(self) -> str:
        return self.cleaned_data["fallback"].strip()

    def clean(self):
        cleaned = super().clean()
        # The fallback goes into the same field as the variable, so it must fit it like a fixed value would.
        field = self.sf_field()
        fallback = cleaned.get("fallback")
        from_data = cleaned.get("source") in FROM_DATA
        conflict = self.picked_and_typed("fallback") if from_data else None
        if conflict:
            self.add_error("fallback", conflict)
        elif fallback and field is not None and from_data:
            try:
                cleaned["fallback"] = constant_clean(field, fallback)
            except InvalidValue as exc:
                self.add_error("fallback", str(exc))
        return cleaned

    def row(self) -> dict:
        fallback = self.cleaned_data.get("fallback", "") if self.cleaned_data["source"] in FROM_DATA else ""
        return {**super().row(), "fallback": fallback}


class CreationFormSet(MappingFormSet):
    def clean(self):
        super().clean()
        # A required field filled from our data must not go out blank when that data is unknown.
        required = {f["name"].lower() for f in self.required_fields}
        for form in self.live_forms():
            data = form.cleaned_data
            if (
                data.get("target_field", "").lower() in required
                and data.get("source") in FROM_DATA
                and not data.get("fallback")
                and not _has_fixed_text(data)
                and not form.errors
            ):
                form.add_error("fallback", "Salesforce requires this field: enter a value for when it is unknown.")


CreationFormSetBase = forms.formset_factory(CreationRowForm, formset=CreationFormSet, extra=1, can_delete=True)


def reserved_for(sobject: str, linkedin_field: str = "") -> frozenset[str]:
    base = ACCOUNT_RESERVED_FIELDS if sobject == "Account" else PROSPECT_RESERVED_FIELDS
    return base | ({linkedin_field} if linkedin_field else frozenset())


def creation_formset(
    data=None, *, sobject: str, describe: dict | None, mappings: list[CreationDefault], readonly: bool,
    linkedin_field: str = "",
) -> CreationFormSet:  # fmt: skip
    reserved = reserved_for(sobject, linkedin_field)
    formset = CreationFormSetBase(
        data,
        prefix=f"creation-{sobject.lower()}",
        initial=mapping_initial(mappings),
        form_kwargs={
            "sf_fields": fields_by_name(describe) if describe is not None else None,
            "targets": mapping_targets(describe, variables=CREATION_VARIABLES, exclude=reserved),
            "variables": CREATION_VARIABLES,
            "reserved": reserved,
            "readonly": readonly,
        },
    )
    formset.object_label = sobject
    lowered = {name.lower() for name in reserved}
    formset.required_fields = [f for f in required_on_create(describe) if f["name"].lower() not in lowered]
    if readonly:
        formset.extra = 0
    return formset


def required_missing(describe: dict | None, mappings: list[CreationDefault], reserved: frozenset[str]) -> list[str]:
    """Labels of required fields no saved default fills (shown on the page even before anyone edits)."""
    covered = {m.target_field.lower() for m in mappings} | {name.lower() for name in reserved}
    return [field_label(f) for f in required_on_create(describe) if f["name"].lower() not in covered]
