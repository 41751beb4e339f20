from __future__ import annotations

from integrations.models import Connection, ConnectionEvent, ConnectionKind
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
    subject_user=None,
) -> ConnectionEvent:
    """Record one audit event. Without a saved connection (a failed attempt, app credentials, a reminder), pass
    `workspace` and a `label` saying what the event is about. A rep's own connection names its rep as
    `subject_user`, so the team table still knows who it was about once the connection is deleted."""
    if connection is not None:
        workspace_id = connection.workspace_id
        label = label or str(connection)
        provider = connection.provider
        subject_user = subject_user or (connection.user if connection.kind == ConnectionKind.USER else None)
    else:
        workspace_id = workspace.pk
    return ConnectionEvent.objects.create(
        workspace_id=workspace_id,
        connection=connection if connection is not None and connection.pk else None,
        connection_label=label[:255],
        provider=provider,
        actor=actor,
        subject_user=subject_user,
        action=action,
        detail=detail,
    )
