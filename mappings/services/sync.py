from __future__ import annotations

from mappings.compat import field_lookup, fields_by_name
from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus


def sync_mappings_refresh_status(*, workspace, sobject: str, describe: dict) -> int:
    """Flag synced fields that left the org (or the connected user's view) as missing; returns how many are."""
    fields = fields_by_name(describe)
    missing = 0
    for row in SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject):
        status = SyncStatus.ACTIVE if field_lookup(fields, row.field_name) else SyncStatus.MISSING
        missing += status == SyncStatus.MISSING
        if row.status != status:
            row.status = status
            row.save(update_fields=["status", "updated_at"])
    return missing
