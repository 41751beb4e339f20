from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from integrations.models import Connection, ConnectionAction, ConnectionEvent, ConnectionKind, ConnectionStatus
from integrations.types import ProviderSlug
from workspaces.models import MANAGE_CRM_SETTINGS, Membership


def connection_get_admin(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> Connection | None:
    return Connection.objects.filter(workspace=workspace, provider=provider, kind=ConnectionKind.ADMIN).first()


def connection_get_for_user(*, workspace, user, provider: str = ProviderSlug.SALESFORCE) -> Connection | None:
    return Connection.objects.filter(
        workspace=workspace, provider=provider, kind=ConnectionKind.USER, user=user
    ).first()


@dataclass(frozen=True)
class TeamMemberConnection:
    membership: Membership
    connection: Connection | None
    disconnected: ConnectionEvent | None = None
    """The last disconnect of this member's own connection, when they have none now."""
    reminded: ConnectionEvent | None = None
    """The last reminder to connect sent to this member."""

    @property
    def state(self) -> str:
        """ "connected", "reconnect_required", "disconnected" or "never" (the states the team table shows)."""
        if self.connection is not None:
            return self.connection.status
        return "disconnected" if self.disconnected is not None else "never"

    @property
    def needs_reminder(self) -> bool:
        """Whether this member cannot write as themselves (no usable connection of their own)."""
        return self.connection is None or not self.connection.is_usable

    @property
    def next_reminder_at(self):
        """When a reminder may go to this member again (None: now)."""
        if self.reminded is None:
            return None
        at = self.reminded.created_at + REMINDER_INTERVAL
        return at if at > timezone.now() else None


REMINDER_INTERVAL = timedelta(hours=24)
"""A member is reminded to connect at most once in this time, however often an admin clicks."""


def _latest_events(*, workspace, action: str, user_ids, provider: str) -> dict[int, ConnectionEvent]:
    events = ConnectionEvent.objects.filter(
        workspace=workspace, provider=provider, action=action, subject_user_id__in=user_ids
    ).select_related("actor")
    latest: dict[int, ConnectionEvent] = {}
    for event in events.order_by("subject_user_id", "-created_at", "-pk"):
        latest.setdefault(event.subject_user_id, event)
    return latest


def connection_list_team(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> list[TeamMemberConnection]:
    """Every member with their own connection (or None, and when it was disconnected), and the last reminder sent
    to them, for admins watching the team's connection health."""
    connections = {
        c.user_id: c
        for c in Connection.objects.filter(workspace=workspace, provider=provider, kind=ConnectionKind.USER)
    }
    memberships = list(Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__email"))
    without = [m.user_id for m in memberships if m.user_id not in connections]
    user_ids = [m.user_id for m in memberships]
    disconnected = _latest_events(
        workspace=workspace, action=ConnectionAction.DISCONNECTED, user_ids=without, provider=provider
    )
    reminded = _latest_events(
        workspace=workspace, action=ConnectionAction.REMINDER_SENT, user_ids=user_ids, provider=provider
    )
    return [
        TeamMemberConnection(
            m,
            connections.get(m.user_id),
            disconnected=disconnected.get(m.user_id) if m.user_id not in connections else None,
            reminded=reminded.get(m.user_id),
        )
        for m in memberships
    ]


def connection_list_needing_reconnect(*, workspace, user, provider: str = ProviderSlug.SALESFORCE) -> list[Connection]:
    """Connections this person should reconnect: their own, plus the admin connection if they manage CRM settings."""
    connections = Connection.objects.filter(
        workspace=workspace, provider=provider, status=ConnectionStatus.RECONNECT_REQUIRED
    )
    mine = [c for c in connections if c.kind == ConnectionKind.USER and c.user_id == user.pk]
    if user.has_perm(MANAGE_CRM_SETTINGS, workspace):
        mine = [c for c in connections if c.kind == ConnectionKind.ADMIN] + mine
    return mine


def connection_event_list(*, workspace, limit: int = 200):
    return ConnectionEvent.objects.filter(workspace=workspace).select_related("actor")[:limit]
