"""Saving an object's sync scope (the form has validated every name and value against describe)."""

from __future__ import annotations

import logging

from django.db import transaction

from sync.models import ObjectSyncState, SyncFilter, SyncObjectConfig

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
