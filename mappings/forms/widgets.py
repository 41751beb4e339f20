from __future__ import annotations

import json

from django import forms
from django.utils.html import format_html

from mappings.compat import (
    field_accepts_kind,
    field_label,
    is_restricted_picklist,
    offers_values,
    picklist_default,
    picklist_options,
)
from mappings.types import ValueKind

OTHER_VALUE = "__other__"
"""The option of a non-restricted picklist's select that means "use the value typed in the box instead"."""


def value_mode(field: dict | None) -> str:
    """How a fixed value for `field` is entered: "text" box, "list" (restricted picklist: its values only),
    "open" (a list plus "Other value…" and the box) or "multi" (a multi-select picklist)."""
    if not offers_values(field):
        return "text"
    if field.get("type") == "multipicklist":
        return "multi"
    return "list" if is_restricted_picklist(field) else "open"


class FieldSelect(forms.Select):
    """A select of Salesforce fields whose options carry the field's type and picklist values for the page's JS."""

    def __init__(self, *args, sf_fields: dict[str, dict] | None = None, translatable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields or {}
        self.translatable = translatable
        """Rows whose values can be translated (Task mappings): our text may go into a restricted picklist."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        field = self.sf_fields.get(value)
        if field is not None:
            option["attrs"]["data-type"] = field.get("type", "")
            # Which kinds of our variables fit, so the page can grey out the others as soon as a field is chosen.
            option["attrs"]["data-accepts"] = json.dumps(
                [k for k in ValueKind.values if field_accepts_kind(field, k, translated=self.translatable)]
            )
            mode = value_mode(field)
            if mode != "text":
                # The page's JS turns the fixed-value box into a select of these when this field is chosen.
                option["attrs"]["data-value-mode"] = mode
                option["attrs"]["data-picklist"] = json.dumps(picklist_options(field))
                option["attrs"]["data-default"] = picklist_default(field)
        return option


def field_choices(fields: list[dict], *, current: list[str] = (), blank: str = "— choose a field —") -> list:
    """Choices for a field select; `current` names no longer offered stay visible, flagged, so drift is seen."""
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


class ValueInput(forms.Widget):
    """A fixed value for a Salesforce field: a text box, or for a field with a list of values a select of its
    active values. Restricted picklists get only the select; other lists add "Other value…" and the text box.

    Both controls are always rendered, the unused one hidden and disabled (so the browser does not submit it):
    the page's JS switches them when the target field changes, and without JS the server's choice stands. The text
    box keeps the field's own name, so a plain POST of the value still works; the select posts `<name>_choice`.
    """

    choice_suffix = "_choice"

    def __init__(self, attrs=None, *, label: str, other_label: str, list_label: str, blank_label: str, optional: bool):
        super().__init__(attrs)
        self.label = label
        self.other_label = other_label
        self.list_label = list_label
        self.blank_label = blank_label
        self.optional = optional
        """An optional value always offers the blank choice; a required one only when there is no default."""
        self.sf_field: dict | None = None
        self.preselect_default = False

    def posted(self, data, name) -> tuple[list[str] | None, str]:
        key = name + self.choice_suffix
        text = data.get(name) or ""
        if key not in data:
            return None, text
        chosen = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        return [value for value in chosen if value], text

    def value_from_datadict(self, data, files, name):
        chosen, text = self.posted(data, name)
        # Without JS the box of an open list is always there: typed with nothing picked means the typed value.
        if chosen is None or OTHER_VALUE in chosen or (not chosen and text.strip()):
            return text
        return ";".join(chosen)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + self.choice_suffix not in data

    def typed_conflict(self, data, name) -> bool:
        """A value picked from the list and a different one typed in the box: which one was meant is unclear."""
        chosen, text = self.posted(data, name)
        return bool(chosen) and OTHER_VALUE not in chosen and bool(text.strip()) and text.strip() != ";".join(chosen)

    def _choices(self, mode: str, values: list[str]) -> tuple[list, list[str], str]:
        """(choices, selected values, text box value) for a field with a list of values."""
        options = picklist_options(self.sf_field)
        default = picklist_default(self.sf_field)
        if not values and self.preselect_default and default:
            values = [default]
        known = {value for value, _ in options}
        unknown = [value for value in values if value not in known]
        blank = [("", self.blank_label)] if mode != "multi" and (self.optional or not default) else []
        if mode == "open":
            choices = blank + options + [(OTHER_VALUE, "Other value…")]
            return (choices, [OTHER_VALUE], values[0]) if unknown else (choices, values, "")
        # A saved value the list no longer has stays visible and selected, so the page can say why it fails.
        return blank + options + [(value, f"{value} (not an active value)") for value in unknown], values, ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        disabled = bool(attrs.pop("disabled", False))
        role = attrs.pop("data-role", "value")
        attrs.pop("aria-label", None)
        element_id = attrs.pop("id", "")
        mode = value_mode(self.sf_field)
        text = "" if value is None else str(value)
        if mode == "text":
            choices, selected, typed = [], [], text
        else:
            values = [v for v in text.split(";") if v] if mode == "multi" else ([text] if text else [])
            choices, selected, typed = self._choices(mode, values)
        listed = mode != "text"
        shows_text = mode == "text" or mode == "open"
        select_cls = forms.SelectMultiple if mode == "multi" else forms.Select
        select = select_cls(choices=choices).render(
            name + self.choice_suffix,
            selected if mode == "multi" else (selected[0] if selected else ""),
            {
                **({"id": f"{element_id}{self.choice_suffix}"} if element_id else {}),
                "data-role": f"{role}-choice",
                "aria-label": self.label if listed else self.list_label,
                **({} if listed else {"hidden": True}),
                **({"disabled": True} if disabled or not listed else {}),
            },
            renderer,
        )
        box = forms.TextInput().render(
            name,
            typed,
            {
                **attrs,
                **({"id": element_id} if element_id else {}),
                "data-role": role,
                "aria-label": self.other_label if listed else self.label,
                **({"placeholder": "Type another value"} if mode == "open" else {}),
                **({} if shows_text else {"hidden": True}),
                **({"disabled": True} if disabled or not shows_text else {}),
            },
            renderer,
        )
        return format_html(
            '<span class="value-input" data-value-input data-mode="{}" data-label="{}" data-other-label="{}" '
            'data-list-label="{}" data-blank="{}" data-optional="{}" data-preselect="{}">{}{}</span>',
            mode, self.label, self.other_label, self.list_label, self.blank_label,
            "true" if self.optional else "false", "true" if not self.optional else "false", select, box,
        )  # fmt: skip
