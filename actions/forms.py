from __future__ import annotations

import json

from django import forms

from actions.models import ActionName, ActionStatus

PAGE_ACTIONS = [(c, label) for c, label in ActionName.choices if c != ActionName.UPDATE_ACCOUNT_FIELDS]


class ActionFilterForm(forms.Form):
    name = forms.ChoiceField(choices=[("", "Any action"), *ActionName.choices], required=False, label="Action")
    status = forms.ChoiceField(choices=[("", "Any result"), *ActionStatus.choices], required=False, label="Result")
    source = forms.ChoiceField(choices=[("", "Anyone")], required=False, label="Who")
    q = forms.CharField(required=False, max_length=100, label="Input contains")

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Anyone"), *sources]


class ActionRunForm(forms.Form):
    """Run an action by hand (what an automation would send), e.g. to try a mapping or fix a record."""

    name = forms.ChoiceField(choices=PAGE_ACTIONS, label="Action")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code"}),
        label="Input (JSON)",
        help_text="The same JSON the API takes (see the API reference). Choosing an action fills in an example "
        "with records of your org; edit it before you run it.",
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: on the Actions page it sits below the filters, whose `name` field would otherwise share
        # id_name, and the "Action" label would point at the filter.
        kwargs.setdefault("auto_id", "run_%s")
        super().__init__(*args, **kwargs)

    def clean_body(self):
        try:
            data = json.loads(self.cleaned_data["body"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("Send one JSON object.")
        return data


class ScoreSettingsForm(forms.Form):
    enabled = forms.BooleanField(
        required=False,
        label="Write scores to Salesforce Accounts",
        help_text="Off by default: until an admin turns this on, POST /api/v1/accounts/scores "
        "is refused and nothing is written.",
    )


class ScoreMappingForm(forms.Form):
    score_name = forms.CharField(
        max_length=80,
        required=False,
        label="Score name",
        help_text="As your customer-success tool sends it, e.g. health.",
    )
    account_field = forms.ChoiceField(required=False, label="Account field")

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_field"].choices = [("", "—"), *field_choices]


ScoreMappingFormSet = forms.formset_factory(ScoreMappingForm, extra=3)


class ScoreDryRunForm(forms.Form):
    rows = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Sample request (JSON)",
        help_text='The accounts list as the API takes it: [{"account_id": "001…", "scores": '
        '{"health": 82}}]. Nothing is written.',
    )

    def clean_rows(self):
        try:
            data = json.loads(self.cleaned_data["rows"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        if isinstance(data, dict):
            data = data.get("accounts")
        if not isinstance(data, list):
            raise forms.ValidationError("Send a list of {account_id, scores} objects.")
        return data
