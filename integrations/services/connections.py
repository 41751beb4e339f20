"""Connecting, reconnecting and disconnecting Salesforce: the web-server flow with PKCE and what every way of
connecting shares (probing the org, one org per workspace, saving, revoking).

Every remote call happens before the single transaction that writes the connection, so a failure at any step
leaves no half-saved connection. Tokens obtained for an attempt that is then refused are revoked again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.errors import FailWithReason, IntegrationError, RetryLater
from integrations.models import (
    AuthType,
    Connection,
    ConnectionAction,
    ConnectionKind,
    ConnectionStatus,
    OAuthCredential,
)
from integrations.providers.salesforce import oauth
from integrations.providers.salesforce.client import SalesforceClient
from integrations.providers.salesforce.errors import oauth_error
from integrations.providers.salesforce.hosts import InvalidSalesforceUrl, login_url_for, normalize_base_url
from integrations.selectors import connection_get_admin, connection_get_for_user
from integrations.services.apps import oauth_app_credentials
from integrations.services.audit import connection_event_record
from integrations.services.oauth_states import oauth_state_consume, oauth_state_create
from integrations.types import ProviderSlug
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.selectors import membership_get

logger = logging.getLogger(__name__)

API_ACCESS_CODES = frozenset({"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED", "API_DISABLED_FOR_USER"})


@dataclass
class Probe:
    """What we learnt about an org from a fresh token, before anything is saved."""

    tokens: oauth.TokenResponse
    org_id: str
    org_name: str
    user_id: str
    username: str
    display_name: str
    instance_url: str
    api_usage: tuple[int | None, int | None] = (None, None)
    is_sandbox: bool | None = None
    """From Organization.IsSandbox; None when the org would not say."""


@dataclass
class OAuthResult:
    """How a callback ended. `workspace` is None when the state could not be trusted."""

    workspace: object | None = None
    kind: str = ""
    connection: Connection | None = None
    error: IntegrationError | None = None
    replaced: bool = False


def connection_label(*, kind: str, user=None) -> str:
    if kind == ConnectionKind.ADMIN:
        return "Salesforce admin connection"
    return f"Salesforce connection of {user}"


# -- web-server flow ---------------------------------------------------------------------------------------------


def oauth_start(*, workspace, user, kind: str, environment: str, my_domain_url: str = "", redirect_uri: str) -> str:
    """The Salesforce authorize URL to send `user` to. Reps sign in on the admin connection's login host."""
    admin = connection_get_admin(workspace=workspace)
    if kind == ConnectionKind.USER:
        if admin is None:  # the admin connection decides which org (and login host) the workspace uses
            raise FailWithReason(
                "Connect your Salesforce user once a workspace admin has connected the workspace's org.",
                code="NO_ADMIN_CONNECTION",
            )
        environment, login_url = admin.environment, admin.login_url
    else:
        try:
            login_url = login_url_for(environment, my_domain_url)
        except InvalidSalesforceUrl as exc:
            raise FailWithReason(str(exc), code="INVALID_URL") from exc
    client_id, _secret = oauth_app_credentials(workspace=workspace)
    state, challenge = oauth_state_create(
        workspace=workspace,
        user=user,
        kind=kind,
        environment=environment,
        login_url=login_url,
        redirect_uri=redirect_uri,
    )
    existing = admin if kind == ConnectionKind.ADMIN else connection_get_for_user(workspace=workspace, user=user)
    return oauth.authorize_url(
        login_url=login_url,
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=challenge,
        login_hint=existing.remote_username if existing else "",
    )


def oauth_complete(*, user, state: str, code: str = "", error: str = "", error_description: str = "") -> OAuthResult:
    """Finish an authorisation from the callback's query string. Never raises for expected failures."""
    try:
        pending = oauth_state_consume(raw_state=state, user=user)
    except IntegrationError as exc:
        logger.warning("salesforce.oauth_state_rejected", extra={"user_id": user.pk, "code": exc.code})
        return OAuthResult(error=exc)
    workspace, kind = pending.workspace, pending.kind
    result = OAuthResult(workspace=workspace, kind=kind)
    label = connection_label(kind=kind, user=user)
    try:
        _check_may_connect(workspace=workspace, user=user, kind=kind)
        if error:
            raise oauth_error(error, error_description)
        if not code:
            raise FailWithReason("Salesforce sent no authorization code. Start the connection again.", code="NO_CODE")
        client_id, client_secret = oauth_app_credentials(workspace=workspace)
        tokens = oauth.exchange_code(
            login_url=pending.login_url,
            code=code,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
            client_id=client_id,
            client_secret=client_secret,
        )
        result.connection, result.replaced = connect_with_tokens(
            workspace=workspace,
            kind=kind,
            user=user,
            tokens=tokens,
            environment=pending.environment,
            login_url=pending.login_url,
            auth_type=AuthType.OAUTH,
            client_id=client_id,
        )
    except IntegrationError as exc:
        result.error = exc
        connection_event_record(
            workspace=workspace,
            label=label,
            action=ConnectionAction.CONNECT_FAILED,
            actor=user,
            subject_user=user if kind == ConnectionKind.USER else None,
            detail=f"{exc.code}: {exc.message}" if exc.code else exc.message,
        )
    return result


def _check_may_connect(*, workspace, user, kind: str) -> None:
    # Re-checked at the callback: a role may have changed while the person was at Salesforce.
    if membership_get(user=user, workspace=workspace) is None:
        raise FailWithReason("You are no longer a member of this workspace.", code="NOT_MEMBER")
    if kind == ConnectionKind.ADMIN and not user.has_perm(MANAGE_CRM_SETTINGS, workspace):
        raise FailWithReason(
            "Only members with the Manage CRM Settings permission can connect the admin connection.",
            code="PERMISSION_DENIED",
        )


# -- shared: probe, org checks, save -----------------------------------------------------------------------------


def checked_url(url: str) -> str:
    try:
        return normalize_base_url(url)
    except InvalidSalesforceUrl as exc:
        raise FailWithReason(str(exc), code="INVALID_URL") from exc


def probe_org(tokens: oauth.TokenResponse, *, login_url: str) -> Probe:
    """Who signed in, to which org, and whether they may use the API. Revokes the token if we cannot use it."""
    try:
        instance_url = checked_url(tokens.instance_url)
        ident = oauth.identity(identity_url=tokens.identity_url, access_token=tokens.access_token)
        draft = Connection(instance_url=instance_url, org_id=tokens.org_id, status=ConnectionStatus.CONNECTED)
        client = SalesforceClient(draft, credential=OAuthCredential(access_token=tokens.access_token))
        try:
            org = client.organization()
        except FailWithReason as exc:
            if exc.code in API_ACCESS_CODES:
                raise
            org = {}  # an org that hides Organization still connects; pages show the id instead
    except IntegrationError:
        revoke_quietly(login_url, tokens.refresh_token or tokens.access_token)
        raise
    return Probe(
        tokens=tokens,
        org_id=tokens.org_id,
        org_name=org.get("Name") or "",
        user_id=tokens.user_id,
        username=ident.get("username") or ident.get("preferred_username") or "",
        display_name=ident.get("display_name") or ident.get("name") or "",
        instance_url=instance_url,
        api_usage=(draft.api_usage_used, draft.api_usage_max),
        is_sandbox=org.get("IsSandbox"),
    )


def _org_text(name: str, org_id: str) -> str:
    return f"{name} ({org_id})" if name else org_id


def _check_same_org(*, workspace, kind: str, user, probe: Probe) -> None:
    """One workspace, one org: refuse a connection to any other org while connections to one exist."""
    org_id = probe.org_id
    others = Connection.objects.filter(workspace=workspace, provider=ProviderSlug.SALESFORCE).exclude(org_id=org_id)
    admin = others.filter(kind=ConnectionKind.ADMIN).first()
    # Naming a sandbox as such explains the usual cause: a sandbox login used where production was meant.
    signed_in = ("sandbox org " if probe.is_sandbox else "org ") + _org_text(probe.org_name, org_id)
    if kind == ConnectionKind.USER:
        if admin is not None:
            raise FailWithReason(
                f"You signed in to the Salesforce {signed_in}, but this workspace is connected to the org "
                f"{_org_text(admin.org_name, admin.org_id)}. Sign in with your user in that org — check that you "
                "used the right login (production or sandbox).",
                code="ORG_MISMATCH",
            )
        own = others.filter(kind=ConnectionKind.USER, user=user).first()
        if own is not None:
            raise FailWithReason(
                f"Your connection is to the org {_org_text(own.org_name, own.org_id)}, not the {signed_in}. "
                "Disconnect it first to switch orgs.",
                code="ORG_MISMATCH",
            )
        return
    if admin is not None:
        raise FailWithReason(
            f"This workspace is connected to the Salesforce org {_org_text(admin.org_name, admin.org_id)}, but you "
            f"signed in to the {signed_in}. To reconnect, sign in with the right login (production or sandbox); to "
            "switch orgs, disconnect the admin connection first.",
            code="ORG_MISMATCH",
        )
    rep = others.filter(kind=ConnectionKind.USER).first()
    if rep is not None:
        raise FailWithReason(
            f"Reps of this workspace are connected to the org {_org_text(rep.org_name, rep.org_id)}, not "
            f"the {signed_in}. Disconnect their connections first to switch orgs.",
            code="ORG_MISMATCH",
        )


def connect_with_tokens(
    *,
    workspace,
    kind: str,
    user,
    tokens: oauth.TokenResponse,
    environment: str,
    login_url: str,
    auth_type: str,
    client_id: str,
    client_secret: str = "",
) -> tuple[Connection, bool]:
    probe = probe_org(tokens, login_url=login_url)
    try:
        _check_same_org(workspace=workspace, kind=kind, user=user, probe=probe)
        return connection_save(
            workspace=workspace,
            kind=kind,
            user=user,
            probe=probe,
            environment=environment,
            login_url=login_url,
            auth_type=auth_type,
            client_id=client_id,
            client_secret=client_secret,
        )
    except IntegrationError:
        revoke_quietly(login_url, tokens.refresh_token or tokens.access_token)
        raise


def connection_save(
    *,
    workspace,
    kind: str,
    user,
    probe: Probe,
    environment: str,
    login_url: str,
    auth_type: str,
    client_id: str,
    client_secret: str = "",
) -> tuple[Connection, bool]:
    """Create the connection, or replace the tokens of the existing one in place (its settings and history stay).

    Returns (connection, replaced). A replaced refresh token is revoked at Salesforce after commit.
    """
    tokens = probe.tokens
    values = {
        "connected_by": user,
        "auth_type": auth_type,
        "environment": environment,
        "login_url": login_url,
        "instance_url": probe.instance_url,
        "org_id": probe.org_id,
        "org_name": probe.org_name,
        "remote_user_id": probe.user_id,
        "remote_username": probe.username,
        "remote_display_name": probe.display_name,
        "scopes": tokens.scope,
        "issued_at": tokens.issued_at or timezone.now(),
        "status": ConnectionStatus.CONNECTED,
        "status_reason": "",
        "status_changed_at": timezone.now(),
        "last_success_at": timezone.now(),
        "api_usage_used": probe.api_usage[0],
        "api_usage_max": probe.api_usage[1],
        "api_usage_at": timezone.now() if probe.api_usage[1] else None,
    }
    owner = user if kind == ConnectionKind.USER else None
    try:
        with transaction.atomic():
            connection = (
                Connection.objects.select_for_update()
                .filter(workspace=workspace, provider=ProviderSlug.SALESFORCE, kind=kind, user=owner)
                .first()
            )
            replaced = connection is not None
            if connection is None:
                connection = Connection.objects.create(
                    workspace=workspace, provider=ProviderSlug.SALESFORCE, kind=kind, user=owner, **values
                )
                credential = OAuthCredential(connection=connection)
                old_token = ""
            else:
                for name, value in values.items():
                    setattr(connection, name, value)
                connection.save()
                credential, _ = OAuthCredential.objects.select_for_update().get_or_create(connection=connection)
                old_token = credential.refresh_token if credential.refresh_token != tokens.refresh_token else ""
            credential.access_token = tokens.access_token
            credential.refresh_token = tokens.refresh_token
            credential.client_id = client_id
            credential.client_secret = client_secret
            credential.version += 1
            credential.refreshed_at = timezone.now()
            credential.save()
            connection_event_record(
                connection=connection,
                action=ConnectionAction.RECONNECTED if replaced else ConnectionAction.CONNECTED,
                actor=user,
                detail=f"{probe.username} in {_org_text(probe.org_name, probe.org_id)}, {auth_type}",
            )
    except IntegrityError as exc:  # two callbacks for the same connection at once; the other one won
        raise RetryLater("Another connection attempt finished at the same time. Reload the page.") from exc
    if old_token:
        transaction.on_commit(lambda: revoke_quietly(login_url, old_token))
    if kind == ConnectionKind.USER:
        # The rep's writeback jobs paused for a reconnect (or a first connect) go again now, not at the next sweep.
        transaction.on_commit(lambda: _writeback_resume(connection), robust=True)
    logger.info("salesforce.connected", extra={"connection_id": connection.pk, "replaced": replaced})
    return connection, replaced


def _writeback_resume(connection: Connection) -> None:
    from activities.services.writeback.drain import writeback_resume_for_connection  # activities imports us

    writeback_resume_for_connection(connection=connection)


def revoke_quietly(login_url: str, token: str) -> bool:
    if not token:
        return True
    try:
        oauth.revoke(login_url=login_url, token=token)
    except IntegrationError:
        logger.warning("salesforce.revoke_failed", extra={"host": login_url})
        return False
    return True


# -- disconnect --------------------------------------------------------------------------------------------------


def connection_disconnect(*, connection: Connection, actor) -> bool:
    """Revoke the token at Salesforce, then delete the connection and its secrets here.

    Returns whether Salesforce confirmed the revocation; the local copy is deleted either way, because a person
    who clicks Disconnect wants us to stop using it.
    """
    credential = OAuthCredential.objects.filter(connection=connection).first()
    token = (credential.refresh_token or credential.access_token) if credential else ""
    revoked = revoke_quietly(connection.login_url, token)
    with transaction.atomic():
        connection_event_record(
            connection=connection,
            action=ConnectionAction.DISCONNECTED,
            actor=actor,
            detail="Token revoked at Salesforce." if revoked else "Salesforce could not be reached to revoke it.",
        )
        connection.delete()
    return revoked
