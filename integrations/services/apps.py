from __future__ import annotations

from django.conf import settings

from integrations.errors import NotConnected
from integrations.models import OAuthApp
from integrations.types import ProviderSlug


def oauth_app_credentials(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> tuple[str, str]:
    """(consumer key, consumer secret): the workspace's own app if an admin stored one, else settings."""
    app = OAuthApp.objects.filter(workspace=workspace, provider=provider).first()
    if app is not None:
        return app.consumer_key, app.consumer_secret
    if provider == ProviderSlug.SALESFORCE and settings.SALESFORCE_CONSUMER_KEY:
        return settings.SALESFORCE_CONSUMER_KEY, settings.SALESFORCE_CONSUMER_SECRET
    raise NotConnected(
        "No External Client App credentials are configured. An admin enters the consumer key and secret on the "
        "integrations page (or the server sets SALESFORCE_CONSUMER_KEY and SALESFORCE_CONSUMER_SECRET).",
        code="NO_OAUTH_APP",
    )
