"""The per-object sync scope page: which records of an object are synced (enabled, first-import lookback, inclusion
filters). Every field name is checked against the object's describe and every value coerced to the field's type
by the same code that later builds the SOQL (soql.filter_clause), so what saves is what the engine can run."""

from __future__ import annotations

from django import forms

from sync.soql import SoqlBuildError, check_name, filter_clause
from sync.types import FilterOperator, LookbackField

VALUELESS = (FilterOperator.IS_NULL, FilterOperator.IS_NOT_NULL)
MULTI = (FilterOperator.IN, FilterOperator.NOT_IN)


class ObjectScopeForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Sync this object")
    lookback_field = forms.ChoiceField(
        choices=[("", "No lookback: every record"), *LookbackField.choices], required=False, label="First import"
    )
    lookback_days = forms.IntegerField(min_value=1, max_value=36500, required=False, label="Last N days")

    def __init__(self, *args, fields: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields = fields

    def clean(self):
        data = super().clean()
        field, days = data.get("lookback_field"), data.get("lookback_days")
        if field and not days:
            self.add_error("lookback_days", "How many days back should the first import go?")
        if days and not field:
            self.add_error("lookback_field", "Pick the date the lookback applies to.")
        if field and field not in self.describe_fields:
            self.add_error("lookback_field", f"Salesforce has no readable field “{field}” on this object.")
        return data


class FilterRowForm(forms.Form):
    # Not required: a row whose field is set back to "—" is no filter (how a person removes one without the Remove
    # box), and the blank row for a new filter posts its default condition, which must not make it an error.
    field = forms.ChoiceField(label="Field", required=False)
    operator = forms.ChoiceField(choices=FilterOperator.choices, label="Condition")
    values = forms.CharField(
        required=False, label="Value", help_text="For “is one of” / “is none of”: values separated by commas."
    )

    def __init__(self, *args, fields: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.describe_fields = fields
        filterable = sorted(
            (name for name, meta in fields.items() if meta.get("filterable", True)),
            key=lambda name: fields[name].get("label", name).lower(),
        )
        self.fields["field"].choices = [("", "—")] + [
            (name, f"{fields[name].get('label', name)} ({name})") for name in filterable
        ]

    def clean(self):
        data = super().clean()
        name, operator = data.get("field"), data.get("operator")
        raw = (data.get("values") or "").strip()
        if not name and raw and not self.errors:
            self.add_error("field", "Pick the field this value is for, or clear the value.")
        if not name or not operator or self.errors:
            data["values_list"] = []
            return data
        if operator in VALUELESS:
            values = []
        elif operator in MULTI:
            values = [v.strip() for v in raw.replace("\n", ",").split(",") if v.strip()]
        else:
            values = [raw] if raw else []
        if operator not in VALUELESS and not values:
            self.add_error("values", "Enter a value.")
            return data
        try:
            check_name(name, self.describe_fields)
            filter_clause(field_name=name, operator=operator, values=values, fields=self.describe_fields)
        except SoqlBuildError as exc:
            self.add_error("values" if values else "field", str(exc))
        data["values_list"] = values
        return data


class BaseFilterFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "fields": self.form_kwargs["fields"]}


FilterFormSet = forms.formset_factory(FilterRowForm, formset=BaseFilterFormSet, extra=1, can_delete=True)


class SyncFilterAdminForm(forms.ModelForm):
    """The Django admin's inline for inclusion filters: the same describe check as the scope page, so a staff edit
    cannot store a filter the engine would refuse at the next run."""

    class Meta:
        fields = ("field", "operator", "values")

    def clean(self):
        data = super().clean()
        config = getattr(self.instance, "object_config", None)
        name, operator, values = data.get("field"), data.get("operator"), data.get("values")
        if config is None or not name or not operator or self.errors:
            return data
        if not isinstance(values, list):
            self.add_error("values", 'A JSON list of values, e.g. ["Customer"] (empty for “is empty”).')
            return data
        fields = describe_fields(workspace=config.workspace, sobject=config.sobject)
        if fields is None:
            self.add_error(None, "Salesforce metadata is unavailable (no admin connection?), so this filter cannot "
                                 "be checked. Try again once the workspace is connected.")  # fmt: skip
            return data
        if operator not in VALUELESS and not values:
            self.add_error("values", "Enter at least one value.")
            return data
        try:
            filter_clause(field_name=name, operator=operator, values=values, fields=fields)
        except SoqlBuildError as exc:
            self.add_error("field" if "field" in str(exc).lower() else "values", str(exc))
        return data


def describe_fields(*, workspace, sobject: str) -> dict[str, dict] | None:
    """The object's describe field map through the workspace's admin connection, or None when unavailable."""
    from integrations.selectors import connection_get_admin
    from integrations.services.metadata import describe_get

    connection = connection_get_admin(workspace=workspace)
    describe = describe_get(connection=connection, sobject=sobject) if connection else None
    return describe.field_map() if describe and describe.available else None
