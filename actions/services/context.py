"""Which connection acts, and what its user may see: describes and key prefixes, fetched as that user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse

from actions.checks import Refusal, key_prefixes
from activities.services.writeback.recorder import RecordingClient
from integrations.errors import ApiLimitReached, IntegrationError, ReconnectRequired, RetryLater
from integrations.models import Connection, ConnectionStatus
from integrations.selectors import connection_get_admin, connection_get_for_user
from integrations.services.metadata import describe_get
from workspaces.models import Membership

DESCRIBE_CODES = frozenset({"unknown_field", "field_not_writable", "invalid_picklist_value", "wrong_object"})
"""Refusals a describe fetched again may undo (a new field, a new picklist value, permissions changed)."""


def integrations_link(workspace, request=None) -> str:
    path = reverse("integration_list", kwargs={"workspace_slug": workspace.slug})
    return request.build_absolute_uri(path) if request is not None else path


def connection_choose(*, workspace, as_user: str | None, request=None) -> tuple[Connection, object | None]:
    """(connection, member): the admin connection, or with `as_user` that member's own. Refused with
    `reconnect_required` and the page to connect on when it is missing or needs reconnecting."""
    link = integrations_link(workspace, request)
    member = None
    if as_user:
        user = get_user_model().objects.filter(email__iexact=as_user.strip()).first()
        if user is None or not Membership.objects.filter(workspace=workspace, user=user).exists():
            raise Refusal(
                400, "unknown_user", f"as_user: {as_user} is not a member of this workspace.", fields=["as_user"]
            )
        member = user
        connection = connection_get_for_user(workspace=workspace, user=user)
        who = f"{user.email} has"
        fix = f"{user.email} connects their own Salesforce user on the Integrations page"
    else:
        connection = connection_get_admin(workspace=workspace)
        who = "The workspace has"
        fix = "an admin connects it on the Integrations page"
    if connection is None:
        raise Refusal(409, "reconnect_required", f"{who} no Salesforce connection; {fix}: {link}", link=link)
    if connection.status != ConnectionStatus.CONNECTED:
        reason = connection.status_reason or "Salesforce refused its token"
        raise Refusal(
            409,
            "reconnect_required",
            f"{who} a Salesforce connection that must be reconnected ({reason}); {fix}: {link}",
            link=link,
        )
    return connection, member


@dataclass
class ActionContext:
    workspace: object
    connection: Connection
    member: object | None = None
    request: object | None = None
    _client: RecordingClient | None = None
    _describes: dict = field(default_factory=dict)
    _fresh: bool = False

    @property
    def client(self) -> RecordingClient:
        if self._client is None:
            try:
                self._client = RecordingClient(self.connection)
            except ReconnectRequired as exc:
                raise self.reconnect(exc) from exc
        return self._client

    @property
    def user_label(self) -> str:
        return self.connection.remote_username or (self.member.email if self.member else "the connected user")

    def reconnect(self, exc: IntegrationError) -> Refusal:
        link = integrations_link(self.workspace, self.request)
        return Refusal(
            409,
            "reconnect_required",
            f"Salesforce refused this connection's token ({exc.message}); "
            f"reconnect it on the Integrations page: {link}",
            link=link,
            salesforce_code=exc.code,
        )

    def describe(self, sobject: str) -> dict:
        """This user's own describe (field-level security is per user), cached as the settings pages cache it."""
        if sobject not in self._describes:
            result = describe_get(connection=self.connection, sobject=sobject, client=self._client)
            if result.payload is None:
                raise self.unavailable(result.error, f"the describe of {sobject or 'the org'}")
            self._describes[sobject] = result.payload
        return self._describes[sobject]

    def stale_for(self, refusal: Refusal) -> bool:
        """Could a fresh describe change this answer? (Only when our copy was not just fetched.)"""
        codes = {refusal.code, *(i.get("code") for i in refusal.items)}
        return not self._fresh and bool(codes & DESCRIBE_CODES)

    def refresh(self) -> None:
        self._fresh = True
        for sobject in list(self._describes):
            result = describe_get(connection=self.connection, sobject=sobject, force=True, client=self._client)
            if result.payload is not None:
                self._describes[sobject] = result.payload

    def prefixes(self) -> dict[str, str]:
        return key_prefixes(self.describe(""))

    def unavailable(self, exc: IntegrationError | None, what: str) -> Refusal:
        if isinstance(exc, ReconnectRequired):
            return self.reconnect(exc)
        if isinstance(exc, ApiLimitReached):
            return Refusal(
                429,
                "api_limit_reached",
                "The Salesforce org has used its daily API allocation; try "
                "again when budget returns (the allocation is a rolling 24 hours).",
                salesforce_code=exc.code,
            )
        if isinstance(exc, RetryLater):
            return Refusal(
                503,
                "salesforce_unavailable",
                f"Salesforce did not answer for {what}: {exc.message} Nothing was written; try again.",
                salesforce_code=exc.code,
            )
        if exc is not None and exc.code == "NOT_FOUND":
            return Refusal(400, "unknown_object", f"The org has no object {what.split()[-1]} this user can see.")
        message = exc.message if exc else "no answer"
        return Refusal(
            502, "salesforce_error", f"Salesforce refused {what}: {message}", salesforce_code=getattr(exc, "code", "")
        )
