"""Admin connections by the client credentials flow: the app's Run As user, no refresh token, no browser."""

from __future__ import annotations

from integrations.errors import IntegrationError
from integrations.models import AuthType, Connection, ConnectionAction, ConnectionKind, Environment
from integrations.providers.salesforce import oauth
from integrations.services.audit import connection_event_record
from integrations.services.connections import (
    Probe,
    checked_url,
    connect_with_tokens,
    connection_label,
    probe_org,
    revoke_quietly,
)


def client_credentials_test(*, instance_url: str, consumer_key: str, consumer_secret: str) -> Probe:
    """Prove the credentials by minting a token and reading the org; nothing is saved."""
    instance_url = checked_url(instance_url)
    tokens = oauth.client_credentials(instance_url=instance_url, client_id=consumer_key, client_secret=consumer_secret)
    probe = probe_org(tokens, login_url=instance_url)
    revoke_quietly(instance_url, tokens.access_token)  # a test leaves no live token behind
    return probe


def client_credentials_connect(
    *, workspace, actor, instance_url: str, consumer_key: str, consumer_secret: str
) -> Connection:
    try:
        instance_url = checked_url(instance_url)
        tokens = oauth.client_credentials(
            instance_url=instance_url, client_id=consumer_key, client_secret=consumer_secret
        )
        connection, _replaced = connect_with_tokens(
            workspace=workspace,
            kind=ConnectionKind.ADMIN,
            user=actor,
            tokens=tokens,
            environment=Environment.MY_DOMAIN,
            login_url=instance_url,
            auth_type=AuthType.CLIENT_CREDENTIALS,
            client_id=consumer_key,
            client_secret=consumer_secret,
        )
    except IntegrationError as exc:  # a failed save is audited like a failed OAuth attempt; a Test is not
        connection_event_record(
            workspace=workspace,
            label=connection_label(kind=ConnectionKind.ADMIN),
            action=ConnectionAction.CONNECT_FAILED,
            actor=actor,
            detail=f"client credentials: {exc.code}: {exc.message}" if exc.code else exc.message,
        )
        raise
    return connection
