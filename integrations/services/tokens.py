"""Token refresh, serialised per connection so concurrent workers never race a rotating refresh token."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.errors import ReconnectRequired
from integrations.models import AuthType, Connection, ConnectionAction, ConnectionStatus, OAuthCredential
from integrations.providers.salesforce import oauth
from integrations.services.audit import connection_event_record

logger = logging.getLogger(__name__)


def credential_refresh(*, connection: Connection, seen_version: int) -> OAuthCredential:
    """Get a fresh access token unless another worker already did since `seen_version` was read.

    The no-op UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite, so only one
    worker refreshes at a time; the others wait, then see the new version and reuse its token.
    """
    try:
        with transaction.atomic():
            OAuthCredential.objects.filter(connection=connection).update(version=F("version"))
            credential = OAuthCredential.objects.select_for_update().get(connection=connection)
            if credential.version != seen_version:
                return credential
            status = Connection.objects.values_list("status", flat=True).get(pk=connection.pk)
            if status != ConnectionStatus.CONNECTED:
                raise ReconnectRequired(
                    connection.status_reason or "This connection needs to be reconnected.", code="RECONNECT_REQUIRED"
                )
            tokens = _mint(connection, credential)
            credential.access_token = tokens.access_token
            if tokens.refresh_token:  # only sent when refresh-token rotation is on; store it atomically
                credential.refresh_token = tokens.refresh_token
            credential.version += 1
            credential.refreshed_at = timezone.now()
            credential.save()
            logger.info("salesforce.token_refreshed", extra={"connection_id": connection.pk})
            return credential
    except ReconnectRequired as exc:
        if exc.code != "RECONNECT_REQUIRED":
            connection_mark_reconnect_required(connection=connection, reason=exc.message, code=exc.code)
        raise


def _mint(connection: Connection, credential: OAuthCredential) -> oauth.TokenResponse:
    if connection.auth_type == AuthType.CLIENT_CREDENTIALS:
        return oauth.client_credentials(
            instance_url=connection.login_url, client_id=credential.client_id, client_secret=credential.client_secret
        )
    if not credential.refresh_token:
        raise ReconnectRequired("No refresh token is stored for this connection.", code="NO_REFRESH_TOKEN")
    from integrations.services.apps import oauth_app_credentials

    client_id, client_secret = oauth_app_credentials(workspace=connection.workspace, provider=connection.provider)
    return oauth.refresh(
        login_url=connection.login_url,
        refresh_token=credential.refresh_token,
        client_id=credential.client_id or client_id,
        client_secret=client_secret,
    )


def connection_mark_reconnect_required(
    *,
    connection: Connection,
    reason: str,
    code: str = "",
    action: str = ConnectionAction.REFRESH_FAILED,
    actor=None,
) -> None:
    """Pause everything that needs this connection until its owner reconnects. Nothing queued is dropped."""
    now = timezone.now()
    updated = Connection.objects.filter(pk=connection.pk, status=ConnectionStatus.CONNECTED).update(
        status=ConnectionStatus.RECONNECT_REQUIRED,
        status_reason=reason,
        status_changed_at=now,
        last_error=reason,
        last_error_at=now,
    )
    connection.status = ConnectionStatus.RECONNECT_REQUIRED
    connection.status_reason = reason
    if updated:
        connection_event_record(
            connection=connection, action=action, actor=actor, detail=f"{code}: {reason}" if code else reason
        )
        logger.warning("salesforce.reconnect_required", extra={"connection_id": connection.pk, "code": code})
