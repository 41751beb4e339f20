from __future__ import annotations

import json

from django import forms

from mappings.compat import field_accepts_kind, picklist_values
from mappings.types import ValueKind


class FieldSelect(forms.Select):
    """A select of Salesforce fields whose options carry the field's type and picklist values for the page's JS."""

    def __init__(self, *args, sf_fields: dict[str, dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        field = self.sf_fields.get(value)
        if field is not None:
            option["attrs"]["data-type"] = field.get("type", "")
            # Which kinds of our variables fit, so the page can grey out the others as soon as a field is chosen.
            option["attrs"]["data-accepts"] = json.dumps([k for k in ValueKind.values if field_accepts_kind(field, k)])
            values = picklist_values(field)
            if values:
                option["attrs"]["data-picklist"] = json.dumps(values)
                option["attrs"]["data-restricted"] = "true" if field.get("restrictedPicklist") else "false"
        return option


def field_choices(fields: list[dict], *, current: list[str] = (), blank: str = "— choose a field —") -> list:
    """Choices for a field select; `current` names no longer offered stay visible, flagged, so drift is seen."""
    from mappings.compat import field_label

    choices = [("", blank)] + [(f["name"], f"{field_label(f)} · {f.get('type')}") for f in fields]
    offered = {f["name"] for f in fields}
    for name in current:
        if name and name not in offered:
            choices.append((name, f"{name} (not available in Salesforce)"))
            offered.add(name)
    return choices


class VariableSelect(forms.Select):
    """A select of our variables whose options carry the variable's kind (see `data-accepts` above)."""

    def __init__(self, *args, kinds: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.kinds:
            option["attrs"]["data-kind"] = self.kinds[value]
        return option
