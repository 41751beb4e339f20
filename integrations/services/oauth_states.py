"""Pending authorisations: a random `state` per attempt, stored only as a hash, single use, bound to one person.

The raw value travels to Salesforce and back in the browser; we keep its SHA-256, the PKCE verifier (encrypted)
and who started it. Consumption is one conditional UPDATE, so a replayed callback loses the race.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.errors import FailWithReason
from integrations.models import OAuthState
from integrations.providers.salesforce import oauth
from integrations.types import ProviderSlug


class InvalidState(FailWithReason):
    """The callback's `state` is unknown, used, expired or someone else's. Carries no workspace on purpose."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def oauth_state_create(
    *, workspace, user, kind: str, environment: str, login_url: str, redirect_uri: str
) -> tuple[str, str]:
    """(raw state, S256 code challenge) for a new authorisation attempt."""
    oauth_state_purge()  # connecting is rare; tidying here saves a schedule
    raw = secrets.token_urlsafe(32)
    verifier, challenge = oauth.new_pkce_pair()
    OAuthState.objects.create(
        state_hash=_hash(raw),
        workspace=workspace,
        user=user,
        provider=ProviderSlug.SALESFORCE,
        kind=kind,
        environment=environment,
        login_url=login_url,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
    )
    return raw, challenge


def oauth_state_consume(*, raw_state: str, user) -> OAuthState:
    """The pending attempt `raw_state` names, marked used. Raises InvalidState for anything else."""
    if not raw_state:
        raise InvalidState("Salesforce sent no state with its answer. Start the connection again.", code="NO_STATE")
    row = OAuthState.objects.filter(state_hash=_hash(raw_state)).select_related("workspace").first()
    if row is None or row.user_id != user.pk:
        # A foreign state looks exactly like an unknown one: nothing about the other attempt leaks.
        raise InvalidState(
            "This Salesforce answer does not belong to a connection you started. Start the connection again from "
            "the integrations page.",
            code="UNKNOWN_STATE",
        )
    now = timezone.now()
    if row.created_at < now - timedelta(seconds=settings.SALESFORCE_OAUTH_STATE_TTL):
        raise InvalidState("The connection attempt took too long and expired. Start it again.", code="STATE_EXPIRED")
    used = OAuthState.objects.filter(pk=row.pk, consumed_at__isnull=True).update(consumed_at=now)
    if not used:
        raise InvalidState(
            "This Salesforce answer was already used. Start the connection again if it is not connected.",
            code="STATE_REPLAYED",
        )
    row.consumed_at = now
    return row


def oauth_state_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete attempts nobody will come back for."""
    deleted, _ = OAuthState.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
