from __future__ import annotations

import json

from django import forms

from actions.models import ActionName, ActionStatus

PAGE_ACTIONS = [(c, label) for c, label in ActionName.choices if c != ActionName.UPDATE_ACCOUNT_FIELDS]
EXAMPLE = '{"subject": "Follow up", "who_id": "003…", "what_id": "001…", "activity_date": "2026-06-01"}'


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
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": EXAMPLE}),
        label="Input (JSON)",
        help_text="The same JSON the API takes, e.g. " + EXAMPLE + ". See the API reference.",
    )

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
