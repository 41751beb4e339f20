"""One mapping row (Salesforce field ← fixed value or one of our variables) and the formset of rows.

Shared by Task mappings and creation defaults; validation reads the org's describe, so what the page accepts is
what Salesforce will accept.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import (
    drift_reason,
    field_accepts_constant,
    field_accepts_kind,
    field_label,
    field_lookup,
    is_restricted_picklist,
    writable_fields,
)
from mappings.forms.formsets import RowFormSet, ShownTargetMixin
from mappings.forms.widgets import FieldSelect, ValueInput, VariableSelect, field_choices
from mappings.text_templates import TemplateError, template_check_target, template_parse
from mappings.types import ValueKind, ValueSource, Variable
from mappings.values import InvalidValue, constant_clean


def mapping_targets(
    describe: dict | None, *, variables: dict[str, Variable], exclude=(), update: bool = False
) -> list[dict]:
    """Writable fields that can take a fixed value or at least one of `variables`."""
    kinds = {v.kind for v in variables.values()}
    return [
        f
        for f in writable_fields(describe, update=update, exclude=exclude)
        if field_accepts_constant(f) or any(field_accepts_kind(f, kind) for kind in kinds)
    ]


KIND_SHORT = {
    ValueKind.TEXT: "text", ValueKind.LONG_TEXT: "long text", ValueKind.URL: "URL", ValueKind.PHONE: "phone",
    ValueKind.EMAIL: "email", ValueKind.NUMBER: "number", ValueKind.DATETIME: "date/time", ValueKind.BOOLEAN: "yes/no",
    ValueKind.USER_ID: "user",
}  # fmt: skip
"""A variable's kind as its option says it, short so the chosen variable is not cut off in its column."""

PICKED_AND_TYPED = (
    "You picked “{picked}” and also typed “{typed}”: choose “Other value…” to use what you typed, or clear the box."
)


class MappingRowForm(ShownTargetMixin, forms.Form):
    target_field = forms.CharField(label="Salesforce field", max_length=255)
    source = forms.ChoiceField(label="Value", choices=ValueSource.choices, initial=ValueSource.VARIABLE)
    variable = forms.CharField(label="Variable", required=False, widget=forms.Select)
    constant = forms.CharField(
        label="Fixed value",
        required=False,
        max_length=32000,
        widget=ValueInput(
            label="Fixed value", other_label="Other value", list_label="Picklist choice",
            blank_label="— choose a value —", optional=False,
        ),
    )  # fmt: skip
    template = forms.CharField(
        label="Text with variables",
        required=False,
        max_length=32000,
        help_text="Text and {variables}, e.g. Call with {prospect.first_name} – {sequence.name}.",
    )
    value_inputs = ("constant",)
    """Fields typed as a value of the target field: a select of its values when it is a picklist."""

    def __init__(
        self,
        *args,
        sf_fields: dict[str, dict] | None,
        targets: list[dict],
        variables: dict[str, Variable],
        reserved: frozenset[str] = frozenset(),
        readonly: bool = False,
        translatable: bool = False,
        translated: frozenset[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields
        self.translatable = translatable
        self.translated = translated
        """Lowercase names of the fields the page's value translations cover (Task mappings)."""
        self.variables = variables
        self.reserved = {name.lower() for name in reserved}
        current = [self.initial.get("target_field", "")]
        self.fields["target_field"].widget = FieldSelect(
            choices=field_choices(targets, current=current),
            sf_fields={f["name"]: f for f in targets},
            translatable=translatable,
        )
        self.fields["target_field"].widget.attrs.update({"data-role": "target", "aria-label": "Salesforce field"})
        self.fields["source"].widget.attrs.update({"data-role": "source", "aria-label": "Value from"})
        self.fields["variable"].widget = VariableSelect(
            choices=[("", "— choose a variable —")]
            + [(key, f"{v.label} · {KIND_SHORT.get(v.kind, v.kind)}") for key, v in variables.items()],
            kinds={key: str(v.kind) for key, v in variables.items()},
        )
        self.fields["variable"].widget.attrs.update({"data-role": "variable", "aria-label": "Variable"})
        self.fields["constant"].widget.attrs.update({"data-role": "constant", "autocomplete": "off"})
        self.fields["template"].widget.attrs.update(
            {"data-role": "template", "autocomplete": "off", "aria-label": "Text with variables",
             "placeholder": "e.g. Call with {prospect.first_name}"}
        )  # fmt: skip
        # Not a form field: a helper the page's JS uses to put "{key}" into the text at the cursor.
        self.insertable = [("", "Insert a variable…")] + [(f"{{{key}}}", v.label) for key, v in variables.items()]
        target = self._shown_target()
        for name in self.value_inputs:
            self.fields[name].widget.sf_field = target
            # A row nobody has submitted starts on the picklist's default value, as in Salesforce.
            self.fields[name].widget.preselect_default = not self.is_bound
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def picked_and_typed(self, name: str) -> str | None:
        """The error for a value both picked from the list and typed in the box (only possible without JS)."""
        widget = self.fields[name].widget
        if not self.is_bound or not widget.typed_conflict(self.data, self.add_prefix(name)):
            return None
        chosen, typed = widget.posted(self.data, self.add_prefix(name))
        return PICKED_AND_TYPED.format(picked=";".join(chosen), typed=typed.strip())

    def sf_field(self) -> dict | None:
        name = self.cleaned_data.get("target_field")
        if not name or self.sf_fields is None:
            return None
        return field_lookup(self.sf_fields, name)

    def clean_target_field(self) -> str:
        name = self.cleaned_data["target_field"].strip()
        if name.lower() in self.reserved:
            raise ValidationError(f"{name} is set by Switchboard itself and cannot be mapped.")
        if self.sf_fields is None:
            return name
        field = field_lookup(self.sf_fields, name)
        reason = drift_reason(field)
        if reason:
            raise ValidationError(reason)
        return field["name"]

    def clean_variable(self) -> str:
        key = self.cleaned_data["variable"]
        if key and key not in self.variables:
            raise ValidationError("Choose one of the listed variables.")
        return key

    def clean(self):
        cleaned = super().clean()
        field = self.sf_field()
        if cleaned.get("source") == ValueSource.CONSTANT:
            self._clean_constant(cleaned, field)
        elif cleaned.get("source") == ValueSource.VARIABLE:
            self._clean_variable(cleaned, field)
        elif cleaned.get("source") == ValueSource.TEMPLATE:
            self._clean_template(cleaned, field)
        return cleaned

    def _clean_template(self, cleaned: dict, field: dict | None) -> None:
        text = cleaned.get("template") or ""
        if not text.strip():
            self.add_error("template", "Enter the text, with {variables} where our data goes.")
            return
        try:
            parts = template_parse(text, self.variables)
            if field is not None:
                template_check_target(field, parts)
        except TemplateError as exc:
            self.add_error("template", str(exc))

    def _clean_constant(self, cleaned: dict, field: dict | None) -> None:
        raw = cleaned.get("constant") or ""
        conflict = self.picked_and_typed("constant")
        if conflict:
            self.add_error("constant", conflict)
            return
        if field is None:
            if not raw.strip():
                self.add_error("constant", "Enter a value.")
            return
        if not field_accepts_constant(field):
            self.add_error(
                "constant", f"{field_label(field)} is a {field.get('type')} field and cannot take a fixed value."
            )
            return
        try:
            cleaned["constant"] = constant_clean(field, raw)
        except InvalidValue as exc:
            self.add_error("constant", str(exc))

    def _clean_variable(self, cleaned: dict, field: dict | None) -> None:
        key = cleaned.get("variable")
        if not key:
            if "variable" not in self.errors:
                self.add_error("variable", "Choose a variable.")
            return
        variable = self.variables[key]
        translated = field is not None and field["name"].lower() in self.translated
        if field is None or field_accepts_kind(field, variable.kind, translated=translated):
            return
        if (
            is_restricted_picklist(field)
            and self.translatable
            and field_accepts_kind(field, variable.kind, translated=True)
        ):
            message = (
                f"{field_label(field)} is a restricted picklist: only its own values fit. Use a fixed value, or add "
                f"value translations from {variable.label} into its values."
            )
        elif is_restricted_picklist(field):
            message = f"{field_label(field)} is a restricted picklist: only its own values fit. Use a fixed value."
        else:
            message = (
                f"{variable.label} is {ValueKind(variable.kind).label.lower()}; "
                f"{field_label(field)} is a {field.get('type')} field."
            )
        self.add_error("variable", message)

    def value(self) -> str:
        data = self.cleaned_data
        return {ValueSource.CONSTANT: data["constant"], ValueSource.TEMPLATE: data["template"]}.get(
            data["source"], data["variable"]
        )

    def row(self) -> dict:
        return {
            "target_field": self.cleaned_data["target_field"],
            "source": self.cleaned_data["source"],
            "value": self.value(),
        }


class MappingFormSet(RowFormSet):
    """Rows mapping onto one object; no field twice, and every field Salesforce requires is covered."""

    required_fields: list[dict] = []
    object_label = "record"
    taken: dict[str, str] = {}
    """Fields another form of the page fills (lowercase name -> what fills it): rows here may not map them."""

    def clean(self):
        seen: dict[str, int] = {}
        for form in self.live_forms():
            index = self.forms.index(form)
            name = form.cleaned_data.get("target_field")
            if not name:
                continue
            if name.lower() in self.taken:
                form.add_error("target_field", f"{name} is already filled by {self.taken[name.lower()]}.")
            elif name.lower() in seen:
                form.add_error(
                    "target_field",
                    f"{name} is already mapped in row {seen[name.lower()] + 1}; a field can be mapped only once.",
                )
            else:
                seen[name.lower()] = index
        missing = [f for f in self.required_fields if f["name"].lower() not in seen]
        if missing:
            names = ", ".join(field_label(f) for f in missing)
            raise ValidationError(
                f"Salesforce requires these {self.object_label} fields and nothing fills them: {names}. "
                "Add a row for each.",
                code="required_missing",
            )

    def rows(self) -> list[dict]:
        return [form.row() for form in self.live_forms() if form.is_valid()]

    def valid_rows(self) -> list[dict]:
        """Rows that validate on their own (for previews of a half-finished edit)."""
        return [form.row() for form in self.live_forms() if not form.errors and form.cleaned_data.get("target_field")]
