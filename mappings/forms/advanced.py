from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mappings.compat import drift_reason, field_lookup, fields_by_name, typed_field_clean, writable_fields
from mappings.forms.widgets import FieldSelect, field_choices
from mappings.types import MATCH_RULES, AmbiguousMatch, LogMode, NewProspectAs

URL_FIELD_TYPES = frozenset({"url", "string"})
RULES_SHOWN = "match_rules_shown"


def linkedin_url_targets(describe: dict | None) -> list[dict]:
    return [f for f in writable_fields(describe, update=True) if f.get("type") in URL_FIELD_TYPES]


def linkedin_url_field_clean(describe: dict | None, name: str) -> str:
    """The canonical API name of the URL field holding a person's LinkedIn URL; unchecked without metadata."""
    try:
        return typed_field_clean(describe, name, types=URL_FIELD_TYPES, choose="a URL or text field")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class AdvancedForm(forms.Form):
    log_mode = forms.ChoiceField(
        label="Log Activities For", choices=LogMode.choices, widget=forms.RadioSelect,
        help_text="With “all”, an open Task is created when an activity starts and completed when it ends.",
    )  # fmt: skip
    new_prospect_as = forms.ChoiceField(
        label="Create New Prospects As",
        choices=NewProspectAs.choices,
        widget=forms.RadioSelect,
        help_text="When no existing Contact or Lead matches the prospect.",
    )
    linkedin_url_field_contact = forms.CharField(
        label="Contact LinkedIn URL field", required=False, help_text="Used to find existing people (deduplication)."
    )
    linkedin_url_field_lead = forms.CharField(label="Lead LinkedIn URL field", required=False)
    api_budget_percent = forms.IntegerField(
        label="API budget (% of the org's daily allocation)", min_value=1, max_value=100
    )
    # The matching rules (added in __init__, in the order they run), then what an ambiguous match does.
    ambiguous_match = forms.ChoiceField(
        label="When several records match", choices=AmbiguousMatch.choices, widget=forms.RadioSelect, required=False,
        help_text="A rule that finds several records never guesses: the next rule is tried. When none is sure, "
        "create a new record, or hold the prospect's writes until an admin chooses one on the Activity page.",
    )  # fmt: skip

    def __init__(self, *args, crm, describes: dict[str, dict | None], readonly: bool, **kwargs):
        initial = {
            "log_mode": crm.log_mode,
            "new_prospect_as": crm.new_prospect_as,
            "linkedin_url_field_contact": crm.linkedin_url_field_contact,
            "linkedin_url_field_lead": crm.linkedin_url_field_lead,
            "api_budget_percent": crm.api_budget_percent,
            **{name: getattr(crm, name) for name, _ in MATCH_RULES},
            "ambiguous_match": crm.ambiguous_match,
        }
        super().__init__(*args, initial=initial, **kwargs)
        ambiguous = self.fields.pop("ambiguous_match")
        for n, (name, label) in enumerate(MATCH_RULES):
            self.fields[name] = forms.BooleanField(
                label=f"Match {label}", required=False,
                help_text="Rules run in this order; the first that finds exactly one record wins." if n == 0 else "",
            )  # fmt: skip
        self.fields["ambiguous_match"] = ambiguous
        # An unticked checkbox is not posted at all: this marker tells "switched off" from "not on the page" (an
        # older page, a script), so a post without the rules cannot turn every rule off and flood the org.
        self.fields[RULES_SHOWN] = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)
        self.describes = describes
        for sobject in ("Contact", "Lead"):
            name = f"linkedin_url_field_{sobject.lower()}"
            describe = describes.get(sobject)
            targets = linkedin_url_targets(describe)
            self.fields[name].widget = FieldSelect(
                choices=field_choices(targets, current=[initial[name]], blank="— none —"),
                sf_fields={f["name"]: f for f in targets},
            )
            # Without metadata the field cannot be checked: keep what is saved, let the rest be edited.
            self.fields[name].disabled = readonly or describe is None
        if readonly:
            for field in self.fields.values():
                field.disabled = True
        self.drift = []
        for sobject in ("Contact", "Lead"):
            name, describe = initial[f"linkedin_url_field_{sobject.lower()}"], describes.get(sobject)
            reason = (
                drift_reason(field_lookup(fields_by_name(describe), name), update=True) if name and describe else None
            )
            if reason:
                self.drift.append(f"{sobject}.{name}: {reason}")

    def _clean_url_field(self, sobject: str) -> str:
        name = self.cleaned_data[f"linkedin_url_field_{sobject.lower()}"]
        return linkedin_url_field_clean(self.describes.get(sobject), name)

    def clean_linkedin_url_field_contact(self) -> str:
        return self._clean_url_field("Contact")

    def clean_linkedin_url_field_lead(self) -> str:
        return self._clean_url_field("Lead")

    def clean_ambiguous_match(self) -> str:
        # Left out of a post (an older page, a script): keep what is saved rather than refuse the whole form.
        return self.cleaned_data["ambiguous_match"] or self.initial["ambiguous_match"]

    GROUPS = (
        ("log", "Log Activities For", ("log_mode",)),
        ("prospects", "Create New Prospects As", ("new_prospect_as",)),
        ("matching", "Matching rules", (*(name for name, _ in MATCH_RULES), "ambiguous_match",
                                        "linkedin_url_field_contact", "linkedin_url_field_lead")),
        ("budget", "API budget", ("api_budget_percent",)),
    )  # fmt: skip
    """The page's fieldsets, in the setup guide's order."""

    def groups(self):
        return [(key, title, [self[name] for name in names]) for key, title, names in self.GROUPS]

    def rows(self) -> list[dict]:
        rows = [{"setting": name, "value": self.cleaned_data[name]} for name in self.fields if name != RULES_SHOWN]
        if not self.cleaned_data.get(RULES_SHOWN):
            rules = {name for name, _ in MATCH_RULES}
            rows = [{**r, "value": self.initial[r["setting"]]} if r["setting"] in rules else r for r in rows]
        return rows
