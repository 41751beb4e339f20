"""What the workspace home page shows: one line of status from each part of the product, read through its selectors.

The home page is the only place that reads across apps, so the imports stay here rather than in workspaces' models.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HomeSummary:
    admin_connection: object | None
    own_connection: object | None
    writeback: dict[str, int]
    last_full_sync: object | None
    synced_objects: int
    initial_import: dict | None = None


def home_summary(*, workspace, user) -> HomeSummary:
    from activities.selectors import writeback_counts
    from integrations.selectors import connection_get_admin, connection_get_for_user
    from sync.selectors import initial_import_status, run_full_latest, sync_health

    admin_connection = connection_get_admin(workspace=workspace)
    return HomeSummary(
        admin_connection=admin_connection,
        own_connection=connection_get_for_user(workspace=workspace, user=user),
        writeback=writeback_counts(workspace=workspace),
        last_full_sync=run_full_latest(workspace=workspace),
        synced_objects=sum(1 for row in sync_health(workspace=workspace) if row.records),
        initial_import=initial_import_status(workspace=workspace, connection=admin_connection),
    )
