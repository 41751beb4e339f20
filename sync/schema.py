"""Which fields and conditions one object's queries use, checked against describe; schema drift handling.

A mapped field that describe no longer lists (deleted, or hidden by field-level security) is paused: left out of
the queries, flagged MISSING on its SyncFieldMapping (the settings page shows it) and listed on the object state.
Everything else keeps syncing. When the field comes back, it is un-paused.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.utils import timezone

from integrations.errors import FailWithReason
from integrations.models import Connection
from integrations.providers.salesforce.client import SalesforceClient
from integrations.services.metadata import describe_get
from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync.models import ObjectSyncState, SyncObjectConfig
from sync.soql import UNSYNCABLE_TYPES, ObjectQuery, SoqlBuildError, check_name, filter_clause, lookback_clause
from sync.types import IDENTITY_FIELDS, SYSTEM_FIELDS

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("Id", "SystemModstamp")


@dataclass
class ResolvedObject:
    query: ObjectQuery
    field_types: dict[str, str]
    paused: list[str]
    describe: dict


def object_resolve(
    *,
    config: SyncObjectConfig,
    state: ObjectSyncState,
    connection: Connection,
    client: SalesforceClient | None = None,
    force_describe: bool = False,
) -> ResolvedObject:
    """Build the object's query. Raises FailWithReason when the object itself cannot be synced (not readable, a
    filter names a field that is gone) -- that stops this object only."""
    check_name(config.sobject)
    result = describe_get(connection=connection, sobject=config.sobject, client=client, force=force_describe)
    if not result.available:
        raise result.error or FailWithReason(f"Salesforce did not describe {config.sobject}.", code="DESCRIBE_FAILED")
    fields = {name: meta for name, meta in result.field_map().items() if meta.get("type") not in UNSYNCABLE_TYPES}
    for name in REQUIRED_FIELDS:
        if name not in fields:
            raise FailWithReason(f"{config.sobject} has no {name} field; it cannot be synced.", code="NOT_REPLICABLE")

    selected = [f for f in SYSTEM_FIELDS if f in fields]
    selected += [f for f in IDENTITY_FIELDS if f in fields and f not in selected]
    paused: list[str] = []
    mappings = list(SyncFieldMapping.objects.filter(workspace_id=config.workspace_id, sobject=config.sobject))
    for mapping in mappings:
        name = mapping.field_name
        present = name in fields
        if present and name not in selected:
            selected.append(name)
        if not present:
            paused.append(name)
        _mapping_status_set(mapping, SyncStatus.ACTIVE if present else SyncStatus.MISSING)
    if sorted(paused) != sorted(state.paused_fields or []):
        if paused:
            logger.warning(
                "sync.fields_paused",
                extra={"workspace_id": config.workspace_id, "sobject": config.sobject, "fields": paused},
            )
        state.paused_fields = paused
        ObjectSyncState.objects.filter(pk=state.pk).update(paused_fields=paused)

    query = ObjectQuery(sobject=config.sobject, fields=selected)
    try:
        for flt in config.filters.all():
            query.conditions.append(
                filter_clause(field_name=flt.field, operator=flt.operator, values=flt.values, fields=fields)
            )
        since = lookback_since_for(config, state)
        if since is not None:
            query.lookback = lookback_clause(field_name=config.lookback_field, since=since, fields=fields)
    except SoqlBuildError as exc:
        raise FailWithReason(f"{config.sobject} filter: {exc}", code="INVALID_FILTER") from exc
    field_types = {name: fields[name].get("type", "string") for name in selected}
    return ResolvedObject(query=query, field_types=field_types, paused=paused, describe=result.payload)


def _mapping_status_set(mapping: SyncFieldMapping, status: str) -> None:
    if mapping.status != status:
        SyncFieldMapping.objects.filter(pk=mapping.pk).update(status=status)
        mapping.status = status


def lookback_since_for(config: SyncObjectConfig, state: ObjectSyncState) -> dt.datetime | None:
    if not (config.lookback_days and config.lookback_field):
        return None
    return state.lookback_since or timezone.now() - dt.timedelta(days=config.lookback_days)
