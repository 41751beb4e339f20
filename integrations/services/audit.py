from __future__ import annotations

from integrations.models import Connection, ConnectionEvent
from integrations.types import ProviderSlug


def connection_event_record(
    *,
    connection: Connection | None = None,
    action: str,
    actor=None,
    detail: str = "",
    workspace=None,
    label: str = "",
    provider: str = ProviderSlug.SALESFORCE,
) -> ConnectionEvent:
    """Record one audit event. Without a saved connection (a failed attempt, app credentials), pass `workspace`
    and a `label` saying what the event is about."""
    if connection is not None:
        workspace_id = connection.workspace_id
        label = label or str(connection)
        provider = connection.provider
    else:
        workspace_id = workspace.pk
    return ConnectionEvent.objects.create(
        workspace_id=workspace_id,
        connection=connection if connection is not None and connection.pk else None,
        connection_label=label[:255],
        provider=provider,
        actor=actor,
        action=action,
        detail=detail,
    )
