"""The checkbox on a Contact or Lead that means "do not text": only fields that can mean that are offered."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import drift_reason, field_label, field_lookup, fields_by_name, typed_field_clean, writable_fields
from mappings.forms.widgets import FieldSelect, field_choices

OPT_OUT_LIKE = re.compile(r"opt(ed)?[\s_-]*out|unsubscri|do[\s_-]*not|dnc|\bstop|no[\s_-]*(sms|text)", re.IGNORECASE)
"""Names and labels that say "does not want to be contacted" (SMS Opt Out, HasOptedOutOfEmail, DoNotCall, ...)."""
SMS_LIKE = re.compile(r"sms|text", re.IGNORECASE)
SEQUENCE_STATE = re.compile(r"activeinsequence|active[\s_-]*in[\s_-]*sequence", re.IGNORECASE)
"""Our "Active in Sequence" checkbox: ticking it on STOP would put the prospect back into sequences' reports."""


def opt_out_like(field: dict) -> bool:
    text = f"{field['name']} {field.get('label') or ''}"
    return bool(OPT_OUT_LIKE.search(text)) and not SEQUENCE_STATE.search(text)


def sms_opt_out_fields(describe: dict | None, *, exclude: Iterable[str] = ()) -> list[dict]:
    """Checkboxes we may tick that read like an opt-out, SMS ones first; `exclude` names fields holding something
    else (the sequence fields)."""
    excluded = {name.lower() for name in exclude}
    found = [
        f
        for f in writable_fields(describe, update=True)  # updateable too: we tick it when a prospect texts STOP
        if f.get("type") == "boolean" and opt_out_like(f) and f["name"].lower() not in excluded
    ]
    return sorted(found, key=lambda f: not SMS_LIKE.search(f"{f['name']} {f.get('label') or ''}"))


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
