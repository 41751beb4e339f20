"""Describe metadata for the settings pages, through the workspace's admin connection.

Pages never fail because Salesforce does: without a connection, or when Salesforce is unreachable and nothing is
cached, `available` is False and `reason` says why, so the page renders with its choices disabled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from integrations.errors import ReconnectRequired
from integrations.models import Connection, ConnectionStatus, DescribeCache
from integrations.selectors import connection_get_admin
from integrations.services.metadata import DescribeResult, describe_get

SETTINGS_OBJECTS = ("Task", "Contact", "Lead", "Account")


@dataclass
class CrmMetadata:
    connection: Connection | None
    results: dict[str, DescribeResult] = field(default_factory=dict)
    reason: str = ""
    """Why metadata is missing or stale; empty when everything came fresh."""
    needs_reconnect: bool = False
    """The admin connection must be reconnected: the page's reconnect banner already says so and how, so the
    settings pages only say what that means for their choices (no second, red error)."""

    def describe(self, sobject: str) -> dict | None:
        result = self.results.get(sobject)
        return result.payload if result else None

    @property
    def available(self) -> bool:
        return bool(self.results) and all(r.available for r in self.results.values())

    @property
    def stale(self) -> bool:
        return any(r.error is not None and r.available for r in self.results.values())

    @property
    def fetched_at(self) -> datetime | None:
        """When the oldest describe shown was fetched."""
        stamps = [r.fetched_at for r in self.results.values() if r.fetched_at]
        return min(stamps) if stamps else None

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.fetched_at if self.fetched_at else None


def crm_metadata_get(*, workspace, sobjects=SETTINGS_OBJECTS, force: bool = False) -> CrmMetadata:
    connection = connection_get_admin(workspace=workspace)
    if connection is None:
        return CrmMetadata(
            None,
            reason="No Salesforce admin connection: connect Salesforce on the Integrations page to choose fields.",
        )
    metadata = CrmMetadata(connection)
    failure = None
    for sobject in sobjects:
        if failure is not None:
            # Salesforce just failed: do not wait on it once per object, use whatever is cached.
            cached = DescribeCache.objects.filter(connection=connection, sobject=sobject).first()
            metadata.results[sobject] = DescribeResult(
                cached.payload if cached else None, cached.fetched_at if cached else None, error=failure
            )
            continue
        result = describe_get(connection=connection, sobject=sobject, force=force)
        metadata.results[sobject] = result
        failure = result.error
    if failure is not None and (
        isinstance(failure, ReconnectRequired) or connection.status == ConnectionStatus.RECONNECT_REQUIRED
    ):
        metadata.needs_reconnect = True
        metadata.reason = (
            "Showing the fields Salesforce listed before the admin connection needed reconnecting."
            if metadata.available
            else "No field list is saved from before the admin connection needed reconnecting; field choices are "
            "disabled until it is reconnected."
        )
    elif failure is not None:
        first = failure.message
        if metadata.available:
            metadata.reason = f"Salesforce could not be reached ({first}); showing cached metadata."
        else:
            metadata.reason = (
                f"Salesforce could not be reached ({first}) and no metadata is cached; choices are disabled."
            )
    return metadata


def describe_cached(*, workspace, sobject: str) -> dict | None:
    """The last describe of `sobject` fetched through the workspace's admin connection, however old. No HTTP:
    the Django admin validates against what is known rather than wait on Salesforce."""
    if workspace is None:
        return None
    connection = connection_get_admin(workspace=workspace)
    if connection is None:
        return None
    cached = DescribeCache.objects.filter(connection=connection, sobject=sobject).first()
    return cached.payload if cached else None
