from django import forms

from activities.models import ActivityKind, ActivityState
from activities.models.keys import SCOPE_CHOICES
from activities.selectors import ActivitySearch, WriteState


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Where the key is used, e.g. “Engagement tool production”.")
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES, initial=["events:write"], widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Give a key only what its tool needs; a request outside its scopes is refused with 403. "
                  "None chosen: events:write, what every key could do before scopes.",
    )  # fmt: skip

    def clean_scopes(self) -> list[str]:
        return self.cleaned_data["scopes"] or ["events:write"]


class ActivitySearchForm(forms.Form):
    """The Activity page's search. A rep sees their own activity unless they ask for the team; admins the team."""

    MINE, TEAM = "me", "all"

    q = forms.CharField(
        required=False,
        max_length=120,
        label="Prospect, email or subject",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email, company…"}),
    )
    rep = forms.ChoiceField(required=False, label="Rep")
    kind = forms.ChoiceField(required=False, label="Kind")
    write_state = forms.ChoiceField(required=False, label="Salesforce")
    state = forms.ChoiceField(required=False, label="State")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    error = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, data, *, reps, me, team_default: bool):
        self.me, self.reps = me, {str(u.pk): u for u in reps}
        self.default_rep = self.TEAM if team_default else self.MINE
        data = data.copy() if data is not None else {}
        if not data.get("rep"):
            data["rep"] = self.default_rep
        super().__init__(data)
        others = [(pk, u.email) for pk, u in self.reps.items() if u.pk != me.pk]
        self.fields["rep"].choices = [(self.MINE, f"Me ({me.email})"), (self.TEAM, "Everyone"), *others]
        self.fields["kind"].choices = [("", "Any kind"), *ActivityKind.choices]
        self.fields["write_state"].choices = [("", "Any"), *WriteState.choices]
        self.fields["state"].choices = [("", "Open or completed"), *ActivityState.choices]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”: choose a later day.")
        return data

    def clean_rep(self) -> object | None:
        """The rep whose activity to show (None: everyone)."""
        value = self.cleaned_data.get("rep") or self.default_rep
        if value == self.TEAM:
            return None
        if value == self.MINE or value == str(self.me.pk):
            return self.me
        return self.reps[value]

    def search(self) -> ActivitySearch:
        """What to look for: the fields that are valid (a bad one is shown with its message and left out)."""
        self.is_valid()
        data = self.cleaned_data
        rep = data.get("rep", self.me if self.default_rep == self.MINE else None)
        return ActivitySearch(user=rep, q=data.get("q", ""), kind=data.get("kind", ""), state=data.get("state", ""),
                              write_state=data.get("write_state", ""), since=data.get("since"),
                              until=data.get("until"),
                              error_code=data.get("error", ""))  # fmt: skip
