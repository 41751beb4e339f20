from __future__ import annotations

from integrations.models import Connection


def connection_field_prefix_update(*, connection: Connection, field_prefix: str) -> Connection:
    """Set the API-name prefix the checklist (and the mappings' defaults) use for our custom fields."""
    connection.field_prefix = field_prefix
    connection.save(update_fields=["field_prefix", "updated_at"])
    return connection
