"""The API budget guard: a run never takes the org past the workspace's share of the daily allocation.

Usage comes from `Sforce-Limit-Info`, which the client records on the connection after every response; when nothing
is known yet, one `/limits` call tells us. A run that would pass the ceiling stops cleanly at its checkpoint
(status paused_budget) and the scheduler resumes it later.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from integrations.errors import ApiLimitReached
from integrations.providers.salesforce.client import SalesforceClient

DEFAULT_BUDGET_PERCENT = 80
USAGE_MAX_AGE = dt.timedelta(minutes=5)


class BudgetExhausted(ApiLimitReached):
    """Our ceiling (not Salesforce's) is reached; the run pauses and resumes later."""


def budget_percent_for(workspace) -> int:
    from mappings.models import CrmSettings

    crm = CrmSettings.objects.filter(workspace=workspace).only("api_budget_percent").first()
    return crm.api_budget_percent if crm else DEFAULT_BUDGET_PERCENT


class ApiBudget:
    def __init__(self, client: SalesforceClient, *, percent: int):
        self.client = client
        self.percent = percent
        self._fresh = False

    @property
    def ceiling(self) -> int | None:
        total = self.client.connection.api_usage_max
        return None if not total else total * self.percent // 100

    def _learn(self) -> None:
        """Once per run, ask `/limits` when our figure is missing, old, or already at the ceiling: the allocation is
        a rolling 24 h window, so a paused run must see usage fall before it resumes."""
        if self._fresh:
            return
        self._fresh = True
        connection = self.client.connection
        known = connection.api_usage_max and connection.api_usage_at
        recent = known and timezone.now() - connection.api_usage_at < USAGE_MAX_AGE
        if recent and (connection.api_usage_used or 0) < self.ceiling:
            return
        limits = self.client.limits() or {}
        daily = limits.get("DailyApiRequests") or {}
        if daily.get("Max"):
            connection.api_usage_max = int(daily["Max"])
            connection.api_usage_used = int(daily["Max"]) - int(daily.get("Remaining", daily["Max"]))

    def check(self, calls: int = 1) -> None:
        """Raise BudgetExhausted when `calls` more calls would pass the ceiling."""
        self._learn()
        ceiling = self.ceiling
        if ceiling is None:
            return
        used = self.client.connection.api_usage_used or 0
        if used + calls > ceiling:
            raise BudgetExhausted(
                f"Paused at {used:,} of {self.client.connection.api_usage_max:,} daily API calls: this workspace may "
                f"use {self.percent}%. The sync resumes from its checkpoint when budget frees up.",
                code="API_BUDGET",
                retry_after=900,
            )
