"""Which Contact/Lead fields mirror a prospect's sequence state."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import drift_reason, field_accepts_kind, field_label, field_lookup, fields_by_name, fields_for_kind
from mappings.forms.widgets import FieldSelect, field_choices
from mappings.payloads import PROSPECT_RESERVED_FIELDS
from mappings.types import SEQUENCE_PURPOSE_KINDS, SequencePurpose

NEEDED = {
    SequencePurpose.ACTIVE: "a checkbox field",
    SequencePurpose.STATUS: "a text field",
    SequencePurpose.NAME: "a text field",
    SequencePurpose.STEP: "a text field",
    SequencePurpose.SEQUENCED_BY: "a lookup to User",
}


def sequence_target_clean(sf_fields: dict[str, dict] | None, purpose: str, name: str) -> str:
    """The canonical API name of a field that can hold `purpose`; `sf_fields` None means metadata is unknown."""
    name = (name or "").strip()
    if not name:
        return name
    if name.lower() in {n.lower() for n in PROSPECT_RESERVED_FIELDS}:
        raise ValidationError(f"{name} is set by Switchboard itself and cannot hold sequence state.")
    if sf_fields is None:
        return name
    field = field_lookup(sf_fields, name)
    reason = drift_reason(field, update=True)
    if reason:
        raise ValidationError(reason)
    if not field_accepts_kind(field, SEQUENCE_PURPOSE_KINDS[purpose]):
        raise ValidationError(f"{field_label(field)} is a {field.get('type')} field; {NEEDED[purpose]} is needed.")
    return field["name"]


class SequenceMappingForm(forms.Form):
    active = forms.CharField(label=SequencePurpose.ACTIVE.label, required=False, help_text="A checkbox field.")
    status = forms.CharField(label=SequencePurpose.STATUS.label, required=False, help_text="A text field.")
    name = forms.CharField(label=SequencePurpose.NAME.label, required=False, help_text="A text field.")
    step = forms.CharField(label=SequencePurpose.STEP.label, required=False, help_text="A text field.")
    sequenced_by = forms.CharField(
        label=SequencePurpose.SEQUENCED_BY.label, required=False, help_text="A lookup to User."
    )

    def __init__(self, *args, sobject: str, describe: dict | None, mappings, readonly: bool, **kwargs):
        current = {m.purpose: m.target_field for m in mappings}
        super().__init__(*args, prefix=sobject.lower(), initial=current, **kwargs)
        self.sobject = sobject
        self.sf_fields = fields_by_name(describe) if describe is not None else None
        for purpose, kind in SEQUENCE_PURPOSE_KINDS.items():
            # Owner changes run assignment and sharing rules: mirroring sequence state must not cause them.
            targets = fields_for_kind(describe, kind, update=True, exclude=PROSPECT_RESERVED_FIELDS)
            self.fields[purpose].widget = FieldSelect(
                choices=field_choices(targets, current=[current.get(purpose, "")], blank="— not mapped —"),
                sf_fields={f["name"]: f for f in targets},
            )
            self.fields[purpose].disabled = readonly
        self.drift = {}
        if self.sf_fields is not None:
            for purpose, name in current.items():
                reason = drift_reason(field_lookup(self.sf_fields, name), update=True)
                if reason:
                    self.drift[purpose] = reason

    def field_rows(self):
        """(bound field, drift reason or None) pairs for the template."""
        return [(self[purpose], self.drift.get(purpose)) for purpose in SEQUENCE_PURPOSE_KINDS]

    def _clean_target(self, purpose: str) -> str:
        return sequence_target_clean(self.sf_fields, purpose, self.cleaned_data[purpose])

    def clean_active(self) -> str:
        return self._clean_target(SequencePurpose.ACTIVE)

    def clean_status(self) -> str:
        return self._clean_target(SequencePurpose.STATUS)

    def clean_name(self) -> str:
        return self._clean_target(SequencePurpose.NAME)

    def clean_step(self) -> str:
        return self._clean_target(SequencePurpose.STEP)

    def clean_sequenced_by(self) -> str:
        return self._clean_target(SequencePurpose.SEQUENCED_BY)

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        for purpose in SEQUENCE_PURPOSE_KINDS:
            name = cleaned.get(purpose)
            if not name:
                continue
            if name.lower() in seen:
                self.add_error(purpose, f"{name} already holds “{self.fields[seen[name.lower()]].label}”.")
            else:
                seen[name.lower()] = purpose
        return cleaned

    def rows(self) -> list[dict]:
        return [
            {"sobject": self.sobject, "purpose": purpose, "target_field": self.cleaned_data[purpose]}
            for purpose in SEQUENCE_PURPOSE_KINDS
            if self.cleaned_data.get(purpose)
        ]
