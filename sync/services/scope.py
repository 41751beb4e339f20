"""Saving an object's sync scope (the form has validated every name and value against describe), and the preview of
what a proposed scope keeps and drops before it is saved."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from integrations.models import Connection
from integrations.providers.salesforce.client import client_for
from sync.models import ObjectSyncState, SyncedRecord, SyncFilter, SyncObjectConfig
from sync.soql import check_name, filter_clause, lookback_clause

logger = logging.getLogger(__name__)


def sync_scope_update(
    *,
    config: SyncObjectConfig,
    enabled: bool,
    lookback_field: str,
    lookback_days: int | None,
    filters: list[dict],
    actor=None,
) -> SyncObjectConfig:
    """Replace the object's scope. Rows already synced that fall outside it are marked deleted by the next full
    sync's sweep; the health page's reconcile then counts the new scope."""
    lookback_changed = (config.lookback_field, config.lookback_days) != (lookback_field or "", lookback_days)
    with transaction.atomic():
        if lookback_changed:  # the bound is fixed at first import; a new lookback takes effect at the next one
            ObjectSyncState.objects.filter(object_config=config).update(lookback_since=None)
        config.enabled = enabled
        config.lookback_field = lookback_field or ""
        config.lookback_days = lookback_days if lookback_field else None
        config.save(update_fields=["enabled", "lookback_field", "lookback_days", "updated_at"])
        config.filters.all().delete()
        SyncFilter.objects.bulk_create(
            SyncFilter(object_config=config, field=f["field"], operator=f["operator"], values=f["values"])
            for f in filters
        )
    logger.info(
        "sync.scope_updated",
        extra={"workspace_id": config.workspace_id, "sobject": config.sobject, "filters": len(filters),
               "user_id": getattr(actor, "pk", None)},
    )  # fmt: skip
    return config


@dataclass
class ScopePreview:
    """How many records a proposed scope keeps, counted in Salesforce (one COUNT() query each)."""

    keeps: int
    """Records the next full sync would import with the proposed scope."""
    total: int
    """Every record of the object in Salesforce."""
    current: int
    """Records the scope saved now selects."""
    drops: int
    """Records the saved scope selects and the proposed one does not: the next full sync marks them deleted here."""
    synced: int
    """Records synced here now (not deleted)."""
    changed: bool
    """Whether the proposed filters or lookback differ from the saved ones."""


def scope_conditions(
    *, filters: list[dict], lookback_field: str, lookback_since: dt.datetime | None, fields: dict[str, dict]
) -> list[str]:
    """The WHERE conditions a full import runs with this scope (names and values checked by soql.filter_clause)."""
    conditions = [
        filter_clause(field_name=f["field"], operator=f["operator"], values=f["values"], fields=fields) for f in filters
    ]
    if lookback_field and lookback_since is not None:
        conditions.append(lookback_clause(field_name=lookback_field, since=lookback_since, fields=fields))
    return conditions


def _saved_scope(config: SyncObjectConfig) -> tuple[list[dict], str, int | None]:
    filters = [{"field": f.field, "operator": f.operator, "values": list(f.values)} for f in config.filters.all()]
    return filters, config.lookback_field, config.lookback_days


def scope_preview(
    *,
    config: SyncObjectConfig,
    connection: Connection,
    fields: dict[str, dict],
    filters: list[dict],
    lookback_field: str,
    lookback_days: int | None,
) -> ScopePreview:
    """Count what the proposed scope keeps against what the saved one selects: four COUNT() queries (raises
    IntegrationError when Salesforce cannot answer; SoqlBuildError when a saved filter no longer fits describe)."""
    now = timezone.now()
    state = ObjectSyncState.objects.filter(object_config=config).first()
    saved_filters, saved_field, saved_days = _saved_scope(config)
    # The saved lookback keeps the bound fixed at the first import; a new one starts counting from today.
    saved_since = (state.lookback_since if state else None) or (
        now - dt.timedelta(days=saved_days) if saved_days else None
    )
    new_since = saved_since if (lookback_field, lookback_days) == (saved_field, saved_days) else None
    if new_since is None and lookback_field and lookback_days:
        new_since = now - dt.timedelta(days=lookback_days)
    current = scope_conditions(filters=saved_filters, lookback_field=saved_field, lookback_since=saved_since,
                               fields=fields)  # fmt: skip
    proposed = scope_conditions(filters=filters, lookback_field=lookback_field, lookback_since=new_since,
                                fields=fields)  # fmt: skip
    client = client_for(connection)

    def count(conditions: list[str]) -> int:
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return int(client.query(f"SELECT COUNT() FROM {check_name(config.sobject)}{where}")["totalSize"])  # noqa: S608

    total = count([])
    keeps = count(proposed) if proposed else total
    now_count = count(current) if current else total
    changed = sorted(current) != sorted(proposed)
    both = count(current + [c for c in proposed if c not in current]) if changed else now_count
    synced = SyncedRecord.objects.filter(workspace_id=config.workspace_id, sobject=config.sobject, is_deleted=False)
    synced_count = synced.count()
    drops = max(0, now_count - both) if synced_count else 0
    return ScopePreview(keeps=keeps, total=total, current=now_count, drops=drops, synced=synced_count, changed=changed)


def preview_summary(preview: ScopePreview, sobject: str) -> str:
    if not preview.changed:
        return (f"The saved scope keeps {preview.keeps:,} of the {preview.total:,} {sobject} records in Salesforce; "
                f"{preview.synced:,} are synced here.")  # fmt: skip
    return (f"This scope keeps {preview.keeps:,} of the {preview.total:,} {sobject} records in Salesforce "
            f"(the saved scope: {preview.current:,}).")  # fmt: skip


def preview_warning(preview: ScopePreview, sobject: str) -> str:
    if not preview.drops:
        return ""
    return (f"Saving drops {preview.drops:,} {sobject} records the saved scope keeps: the next full sync marks them "
            f"deleted here (nothing is deleted in Salesforce).")  # fmt: skip
