from __future__ import annotations

from django import forms
from django.conf import settings

from integrations.models import Environment
from integrations.providers.salesforce.hosts import InvalidSalesforceUrl, normalize_base_url

SANDBOX_PRESET = "local_sandbox"


class ConnectForm(forms.Form):
    """Where to sign in: production, sandbox, or a My Domain URL (plus the local sandbox preset in development)."""

    environment = forms.ChoiceField(
        label="Salesforce environment",
        widget=forms.RadioSelect,
        initial=Environment.PRODUCTION,
    )
    my_domain_url = forms.CharField(
        label="My Domain URL",
        required=False,
        help_text="For My Domain only, e.g. https://acme.my.salesforce.com (Setup › My Domain).",
        widget=forms.TextInput(attrs={"placeholder": "https://acme.my.salesforce.com"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (Environment.PRODUCTION, "Production (login.salesforce.com)"),
            (Environment.SANDBOX, "Sandbox (test.salesforce.com)"),
            (Environment.MY_DOMAIN, "My Domain"),
        ]
        if settings.SANDBOX_URL:
            choices.append((SANDBOX_PRESET, f"Local sandbox (demo) — {settings.SANDBOX_URL}"))
        self.fields["environment"].choices = choices

    def clean(self):
        data = super().clean()
        environment = data.get("environment")
        if environment == SANDBOX_PRESET:
            data["environment"], data["my_domain_url"] = Environment.MY_DOMAIN, settings.SANDBOX_URL
        elif environment == Environment.MY_DOMAIN:
            try:
                data["my_domain_url"] = normalize_base_url(data.get("my_domain_url", ""))
            except InvalidSalesforceUrl as exc:
                self.add_error("my_domain_url", str(exc))
        return data


class ClientCredentialsForm(forms.Form):
    instance_url = forms.CharField(
        label="My Domain URL",
        help_text="Client credentials only work on the org's My Domain, e.g. https://acme.my.salesforce.com.",
        widget=forms.TextInput(attrs={"placeholder": "https://acme.my.salesforce.com"}),
    )
    consumer_key = forms.CharField(label="Consumer key", max_length=255)
    consumer_secret = forms.CharField(
        label="Consumer secret",
        widget=forms.PasswordInput(render_value=False),
        help_text="Never shown again once saved.",
    )

    def clean_instance_url(self):
        try:
            return normalize_base_url(self.cleaned_data["instance_url"])
        except InvalidSalesforceUrl as exc:
            raise forms.ValidationError(str(exc)) from exc


class OAuthAppForm(forms.Form):
    consumer_key = forms.CharField(label="Consumer key", max_length=255)
    consumer_secret = forms.CharField(
        label="Consumer secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored secret.",
    )


class FieldPrefixForm(forms.Form):
    field_prefix = forms.RegexField(
        label="Custom field prefix",
        regex=r"^[A-Za-z][A-Za-z0-9_]{0,14}$",
        required=False,
        max_length=15,
        help_text="The start of our custom fields' API names (default sb_). Empty for no prefix.",
        error_messages={"invalid": "Use letters, digits and underscores, starting with a letter."},
    )
