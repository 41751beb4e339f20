from __future__ import annotations

from integrations.models import Connection, ConnectionEvent


def connection_event_record(*, connection: Connection, action: str, actor=None, detail: str = "") -> ConnectionEvent:
    return ConnectionEvent.objects.create(
        workspace_id=connection.workspace_id,
        connection=connection if connection.pk else None,
        connection_label=str(connection),
        provider=connection.provider,
        actor=actor,
        action=action,
        detail=detail,
    )
