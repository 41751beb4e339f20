from django import forms

from activities.models.keys import SCOPE_CHOICES


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Where the key is used, e.g. “Engagement tool production”.")
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, initial=["events:write"], widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Give a key only what its tool needs; a request outside its scopes is refused with 403. "
                  "None chosen: events:write, what every key could do before scopes.",
    )  # fmt: skip

    def clean_scopes(self) -> list[str]:
        return self.cleaned_data["scopes"] or ["events:write"]
