"""What one batch run knows: the rep, their connection and client, settings, cached describes, settled jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from activities.models import WritebackJob
from activities.services.writeback.recorder import RecordingClient
from integrations.models import Connection, ConnectionStatus, DescribeCache
from integrations.services.metadata import DESCRIBE_MAX_AGE, describe_get

EXTERNAL_ID_HINTS = ("sb_activity", "switchboard")
"""A Task External ID field is ours when its API name contains one of these."""


@dataclass
class BatchContext:
    workspace: object
    user: object
    connection: Connection
    client: RecordingClient
    settings: object
    started: datetime = field(default_factory=timezone.now)
    settled: set[int] = field(default_factory=set)
    _describes: dict[str, dict | None] = field(default_factory=dict)

    def describe(self, sobject: str) -> dict | None:
        """Org metadata: a fresh copy cached for any connection of the same org, else fetched as this rep."""
        if sobject not in self._describes:
            self._describes[sobject] = describe_for(connection=self.connection, sobject=sobject, client=self.client)
        return self._describes[sobject]

    def task_external_id_field(self) -> str:
        for f in (self.describe("Task") or {}).get("fields", []):
            name = f.get("name", "")
            if f.get("externalId") and any(h in name.lower() for h in EXTERNAL_ID_HINTS):
                return name
        return ""


def describe_for(*, connection: Connection, sobject: str, client: RecordingClient | None = None) -> dict | None:
    fresh_after = timezone.now() - DESCRIBE_MAX_AGE
    shared = (
        DescribeCache.objects.filter(
            connection__workspace_id=connection.workspace_id,
            connection__org_id=connection.org_id,
            sobject=sobject,
            fetched_at__gte=fresh_after,
        )
        .order_by("-fetched_at")
        .first()
    )
    if shared is not None:
        return shared.payload
    return describe_get(connection=connection, sobject=sobject, client=client).payload


def budget_exceeded(*, connection: Connection, percent: int) -> tuple[bool, float | None]:
    """Is the org above our share of its daily allocation? Uses the freshest usage any of its connections saw."""
    rows = Connection.objects.filter(
        workspace_id=connection.workspace_id, org_id=connection.org_id, api_usage_max__isnull=False
    ).order_by("-api_usage_at")
    latest = rows.first()
    if latest is None or not latest.api_usage_max:
        return False, None
    ratio = (latest.api_usage_used or 0) / latest.api_usage_max
    return ratio >= percent / 100, ratio


def usage_is_stale(connection: Connection, *, max_age: timedelta) -> bool:
    latest = (
        Connection.objects.filter(workspace_id=connection.workspace_id, org_id=connection.org_id)
        .exclude(api_usage_at=None)
        .order_by("-api_usage_at")
        .values_list("api_usage_at", flat=True)
        .first()
    )
    return latest is None or timezone.now() - latest > max_age


def connection_usable(connection: Connection | None) -> bool:
    return connection is not None and connection.status == ConnectionStatus.CONNECTED


def jobs_of(jobs: list[WritebackJob], *actions: str) -> list[WritebackJob]:
    return [j for j in jobs if j.action in actions]
