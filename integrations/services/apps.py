from __future__ import annotations

from django.conf import settings
from django.db import transaction

from integrations.errors import FailWithReason, NotConnected
from integrations.models import ConnectionAction, OAuthApp
from integrations.registry import registry
from integrations.services.audit import connection_event_record
from integrations.types import ProviderSlug


def oauth_app_credentials(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> tuple[str, str]:
    """(consumer key, consumer secret): the workspace's own app if an admin stored one, else settings."""
    app = OAuthApp.objects.filter(workspace=workspace, provider=provider).first()
    if app is not None:
        return app.consumer_key, app.consumer_secret
    if (configured := registry.get(provider).server_app_credentials()) is not None:
        return configured
    raise NotConnected(
        "No External Client App credentials are configured. An admin enters the consumer key and secret on the "
        "integrations page (or the server sets SALESFORCE_CONSUMER_KEY and SALESFORCE_CONSUMER_SECRET).",
        code="NO_OAUTH_APP",
    )


def oauth_app_update(*, workspace, actor, consumer_key: str, consumer_secret: str = "") -> OAuthApp:
    """Store the workspace's own consumer key and secret (an empty secret keeps the stored one)."""
    consumer_key = consumer_key.strip()
    with transaction.atomic():
        app = OAuthApp.objects.select_for_update().filter(workspace=workspace, provider=ProviderSlug.SALESFORCE).first()
        if app is None:
            if not consumer_secret:
                raise FailWithReason("Enter the consumer secret too.", code="SECRET_REQUIRED")
            app = OAuthApp(workspace=workspace, provider=ProviderSlug.SALESFORCE)
        app.consumer_key = consumer_key
        if consumer_secret:
            app.consumer_secret = consumer_secret.strip()
        app.updated_by = actor
        app.save()
        connection_event_record(
            workspace=workspace,
            label="Salesforce External Client App",
            action=ConnectionAction.CREDENTIALS_CHANGED,
            actor=actor,
            detail=f"Consumer key {consumer_key[:8]}…" + (", new secret" if consumer_secret else ""),
        )
    return app


def oauth_app_delete(*, workspace, actor) -> None:
    """Forget the workspace's own app; the server's settings apply again."""
    deleted, _ = OAuthApp.objects.filter(workspace=workspace, provider=ProviderSlug.SALESFORCE).delete()
    if deleted:
        connection_event_record(
            workspace=workspace,
            label="Salesforce External Client App",
            action=ConnectionAction.CREDENTIALS_CHANGED,
            actor=actor,
            detail="Workspace credentials removed; server settings apply.",
        )


def oauth_app_seed_sandbox_demo(*, workspace) -> OAuthApp | None:
    """Point a demo workspace at the local sandbox's demo org app (fixed key and secret), if a sandbox is set."""
    if not settings.SANDBOX_URL:
        return None
    from sandbox.seed import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET  # the sandbox app only exists in development

    app, _ = OAuthApp.objects.get_or_create(
        workspace=workspace,
        provider=ProviderSlug.SALESFORCE,
        defaults={"consumer_key": DEMO_CONSUMER_KEY, "consumer_secret": DEMO_CONSUMER_SECRET},
    )
    return app
