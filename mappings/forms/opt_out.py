"""The checkbox on a Contact or Lead that means "do not text": only fields that can mean that are offered."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import (
    SEQUENCE_STATE,
    drift_reason,
    field_label,
    field_lookup,
    fields_by_name,
    sms_like,
    sms_opt_out_fields,
    typed_field_clean,
)
from mappings.forms.widgets import FieldSelect, field_choices


def opt_out_target_clean(describe: dict | None, name: str, *, exclude: Iterable[str] = ()) -> str:
    """The canonical API name of a checkbox we may tick; "" for none; unchecked when metadata is unknown.

    A field that holds sequence state (mapped as a sequence field, or our Active in Sequence) is refused: ticking
    it on STOP would say the prospect is in a sequence."""
    try:
        name = typed_field_clean(describe, name, types={"boolean"}, choose="a checkbox field")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not name:
        return name
    field = field_lookup(fields_by_name(describe), name) if describe is not None else None
    shown = field_label(field) if field else name
    if name.lower() in {n.lower() for n in exclude} or SEQUENCE_STATE.search(
        f"{name} {(field or {}).get('label') or ''}"
    ):
        raise ValidationError(
            f"{shown} holds sequence state, not consent: choose a checkbox that means “do not text”, "
            "or create one (the setup checklist says how)."
        )
    return name


class OptOutForm(forms.Form):
    """The SMS opt-out checkbox of one object (Contact or Lead)."""

    def __init__(
        self, *args, sobject: str, describe: dict | None, current: str | None, exclude: Iterable[str] = (),
        readonly: bool, **kw,
    ):  # fmt: skip
        self.field_name = f"{sobject.lower()}_field"
        super().__init__(*args, initial={self.field_name: current or ""}, **kw)
        self.sobject = sobject
        self.describe = describe
        self.exclude = tuple(exclude)
        targets = sms_opt_out_fields(describe, exclude=self.exclude)
        self.fields[self.field_name] = forms.CharField(
            label=f"{sobject} SMS opt-out checkbox",
            required=False,
            help_text="Only checkboxes that read like an opt-out are listed; sequence fields never are.",
            widget=FieldSelect(
                choices=field_choices(targets, current=[current or ""], blank="— none —"),
                sf_fields={f["name"]: f for f in targets},
            ),
            disabled=readonly,
        )
        self.offered = targets
        self.sms_offered = any(sms_like(f) for f in targets)
        """Whether one of the checkboxes is about texts (not only DoNotCall, HasOptedOutOfEmail)."""
        self.drift = None
        if current and describe is not None:
            self.drift = drift_reason(field_lookup(fields_by_name(describe), current), update=True)

    @property
    def bound_field(self):
        return self[self.field_name]

    def clean(self):
        cleaned = super().clean()
        if self.field_name in cleaned:
            try:
                cleaned[self.field_name] = opt_out_target_clean(
                    self.describe, cleaned[self.field_name], exclude=self.exclude
                )
            except ValidationError as exc:
                self.add_error(self.field_name, exc)
        return cleaned

    def rows(self) -> list[dict]:
        return [{"sobject": self.sobject, "target_field": self.cleaned_data[self.field_name] or None}]
