"""What one batch run knows: the rep, their connection and client, settings, cached describes, settled jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from activities.models import WritebackJob
from activities.services.writeback.recorder import RecordingClient
from integrations.models import Connection, ConnectionStatus, DescribeCache
from integrations.services.metadata import DESCRIBE_MAX_AGE, DescribeResult, describe_get, describe_invalidate

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
    refreshed: set[str] = field(default_factory=set)
    """sObjects whose describe this run fetched again after Salesforce refused a field: once each, so no loop."""
    task_mappings: dict[str, list] = field(default_factory=dict)
    """Task mapping rows per activity kind, read once per run."""
    enrollments: dict[int, list] | None = None
    """Per prospect, its enrollments latest first (task_writes.enrollments_load), once the run has loaded them."""

    def describe(self, sobject: str) -> dict | None:
        """Org metadata: this rep's fresh copy, else one cached for the same org, else fetched as this rep."""
        if sobject not in self._describes:
            self._describes[sobject] = describe_for(connection=self.connection, sobject=sobject, client=self.client)
        return self._describes[sobject]

    def describe_refresh(self, sobject: str) -> DescribeResult:
        """Salesforce refused a field of `sobject`: fetch this rep's view of it again, and make every other cached
        copy of the org's (the admin's, which the settings pages read) refetch, so drift shows up there too."""
        self.refreshed.add(sobject)
        others = Connection.objects.filter(workspace_id=self.connection.workspace_id, org_id=self.connection.org_id)
        for other in others.exclude(pk=self.connection.pk):
            describe_invalidate(connection=other, sobject=sobject)
        result = describe_get(connection=self.connection, sobject=sobject, force=True, client=self.client)
        if result.error is None:
            self._describes[sobject] = result.payload
        return result

    def task_external_id_field(self) -> str:
        for f in (self.describe("Task") or {}).get("fields", []):
            name = f.get("name", "")
            if f.get("externalId") and any(h in name.lower() for h in EXTERNAL_ID_HINTS):
                return name
        return ""


def describe_for(*, connection: Connection, sobject: str, client: RecordingClient | None = None) -> dict | None:
    """This connection's own fresh copy first (field-level security differs per user), else any fresh copy of the
    same org (one describe serves every rep), else fetched as this rep."""
    fresh = DescribeCache.objects.filter(
        connection__workspace_id=connection.workspace_id,
        connection__org_id=connection.org_id,
        sobject=sobject,
        fetched_at__gte=timezone.now() - DESCRIBE_MAX_AGE,
    )
    own = fresh.filter(connection=connection).first()
    shared = own or fresh.order_by("-fetched_at").first()
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
