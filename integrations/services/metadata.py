"""Describe metadata, cached per connection so settings pages stay usable when Salesforce is not."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.models import Connection, DescribeCache
from integrations.providers.salesforce.client import SalesforceClient

logger = logging.getLogger(__name__)

DESCRIBE_MAX_AGE = timedelta(hours=6)
"""How long a cached describe is used without asking Salesforce again."""


@dataclass(frozen=True)
class DescribeResult:
    payload: dict | None
    """The describe JSON, or None when neither Salesforce nor the cache could provide it."""
    fetched_at: object | None
    error: IntegrationError | None = None
    """Why a fresh copy could not be fetched (the cached copy, if any, is still in `payload`)."""

    @property
    def available(self) -> bool:
        return self.payload is not None

    @property
    def age(self) -> timedelta | None:
        return timezone.now() - self.fetched_at if self.fetched_at else None

    def field_map(self) -> dict[str, dict]:
        return {f["name"]: f for f in (self.payload or {}).get("fields", [])}


def describe_get(
    *,
    connection: Connection,
    sobject: str,
    force: bool = False,
    max_age: timedelta = DESCRIBE_MAX_AGE,
    client: SalesforceClient | None = None,
) -> DescribeResult:
    """Describe `sobject` ("" for describeGlobal): fresh cache first, then Salesforce, then stale cache."""
    cached = DescribeCache.objects.filter(connection=connection, sobject=sobject).first()
    if cached and not force and timezone.now() - cached.fetched_at < max_age:
        return DescribeResult(cached.payload, cached.fetched_at)
    try:
        client = client or SalesforceClient(connection)
        payload = client.describe(sobject) if sobject else client.describe_global()
    except IntegrationError as exc:
        logger.info(
            "salesforce.describe_failed", extra={"connection_id": connection.pk, "sobject": sobject, "code": exc.code}
        )
        if cached:
            return DescribeResult(cached.payload, cached.fetched_at, error=exc)
        return DescribeResult(None, None, error=exc)
    now = timezone.now()
    DescribeCache.objects.update_or_create(
        connection=connection, sobject=sobject, defaults={"payload": payload, "fetched_at": now}
    )
    return DescribeResult(payload, now)


def describe_invalidate(*, connection: Connection, sobject: str | None = None) -> None:
    """Forget cached describes, e.g. after Salesforce answered INVALID_FIELD (the schema changed)."""
    cache = DescribeCache.objects.filter(connection=connection)
    if sobject is not None:
        cache = cache.filter(sobject=sobject)
    cache.delete()
