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
