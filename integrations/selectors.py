from __future__ import annotations

from dataclasses import dataclass

from integrations.models import Connection, ConnectionEvent, ConnectionKind, ConnectionStatus
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

    @property
    def state(self) -> str:
        """ "connected", "reconnect_required" or "never" (the three states the team table shows)."""
        if self.connection is None:
            return "never"
        return self.connection.status


def connection_list_team(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> list[TeamMemberConnection]:
    """Every member with their own connection (or None), for admins watching the team's connection health."""
    connections = {
        c.user_id: c
        for c in Connection.objects.filter(workspace=workspace, provider=provider, kind=ConnectionKind.USER)
    }
    memberships = Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__email")
    return [TeamMemberConnection(m, connections.get(m.user_id)) for m in memberships]


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
