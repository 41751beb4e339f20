"""PostgreSQL indexes behind the record-list filters (SQLite: nothing to do; see sync/README.md, "Storage").

- Equality filters (picklists, booleans) on any mapped field use `data @> {"Field": value}`, served by the one GIN
  index on `data` (jsonb_path_ops) that migration 0002 creates.
- Range filters (numbers, dates) compare `data -> 'Field'`, and text filters `UPPER(data ->> 'Field') LIKE`; a GIN
  index cannot serve those, so each filterable field of those kinds gets its own partial expression index (B-tree;
  trigram GIN for text when pg_trgm is available), created here, CONCURRENTLY, from the worker after a full import,
  at each reconcile, and within a minute of an admin making a field filterable (the tick notices the mapping's
  newer `updated_at` and enqueues a pass), never from a web request.

Field names cannot be SQL parameters: only names matching the API-name pattern reach the DDL (soql.check_name).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Max, Q
from django_q.tasks import async_task

from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync.models import ObjectSyncState, SyncedRecord
from sync.selectors import filter_kind
from sync.soql import SoqlBuildError, check_name

logger = logging.getLogger(__name__)

TABLE = SyncedRecord._meta.db_table


def _index_name(sobject: str, field: str, kind: str) -> str:
    digest = hashlib.sha1(f"{sobject}.{field}.{kind}".encode(), usedforsecurity=False).hexdigest()[:12]
    return f"sync_rec_f_{digest}"


def index_sql(*, sobject: str, field: str, kind: str) -> str | None:
    """The CREATE INDEX statement for one filterable field, or None when the GIN index already serves it."""
    check_name(sobject)
    check_name(field)
    where = f"WHERE sobject = '{sobject}' AND NOT is_deleted"
    name = _index_name(sobject, field, kind)
    if kind in ("range_number", "range_date"):
        expression = f"(data -> '{field}')"
        return f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} (workspace_id, {expression}) {where}"
    if kind == "text":
        expression = f"(UPPER((data ->> '{field}')::text))"
        # No workspace_id column: GIN has no bigint operator class without btree_gin; the heap recheck scopes it.
        return (
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} USING gin ({expression} gin_trgm_ops) {where}"
        )
    return None  # choice, boolean: data @> {...} uses the GIN index on data


def filter_indexes_ensure(*, workspace_id: int, sobject: str) -> list[str]:
    """Create the missing expression indexes of one object's filterable fields. Returns the statements run."""
    connection = connections[router.db_for_write(SyncedRecord)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return []  # CONCURRENTLY cannot run inside a transaction
    mappings = SyncFieldMapping.objects.filter(
        workspace_id=workspace_id, sobject=sobject, filterable=True, status=SyncStatus.ACTIVE
    )
    trigram = _trigram_available(connection)
    done = []
    for mapping in mappings:
        kind = filter_kind(mapping.field_type)
        if kind == "text" and not trigram:
            continue
        try:
            sql = index_sql(sobject=sobject, field=mapping.field_name, kind=kind)
        except SoqlBuildError:
            continue
        if sql is None:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        except DatabaseError:
            # A failed CONCURRENTLY build leaves an invalid index that IF NOT EXISTS would keep skipping.
            logger.warning("sync.filter_index_failed", extra={"sobject": sobject, "field": mapping.field_name})
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {_index_name(sobject, mapping.field_name, kind)}")
            continue
        done.append(sql)
    return done


def _trigram_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def filter_indexes_enqueue_changed(*, workspace_id: int) -> list[str]:
    """Enqueue an index pass for the objects whose filterable mappings changed since the last pass was enqueued.

    The mappings page, a revert from the history and the Django admin all rewrite `SyncFieldMapping` rows (and so
    their `updated_at`); comparing that with a per-object watermark catches every path without hooking each one.
    The watermark moves in one conditional UPDATE before enqueueing, so two ticks never enqueue the same change;
    a pass lost with its worker is repaired by the next reconcile. Returns the objects enqueued.
    """
    newest = dict(
        SyncFieldMapping.objects.filter(workspace_id=workspace_id, filterable=True, status=SyncStatus.ACTIVE)
        .values_list("sobject")
        .annotate(newest=Max("updated_at"))
    )
    due = []
    states = ObjectSyncState.objects.filter(
        object_config__workspace_id=workspace_id, object_config__enabled=True, object_config__sobject__in=newest
    ).values_list("pk", "object_config__sobject")
    for pk, sobject in states:
        stale = Q(filter_indexes_for__isnull=True) | Q(filter_indexes_for__lt=newest[sobject])
        if ObjectSyncState.objects.filter(stale, pk=pk).update(filter_indexes_for=newest[sobject]):
            due.append(sobject)
    if due:
        transaction.on_commit(
            lambda: async_task(
                "sync.tasks.sync_filter_indexes", workspace_id, due, task_name=f"sync-indexes-{workspace_id}"
            )
        )
    return due


def filter_indexes_update(*, workspace_id: int, sobjects: list[str]) -> list[str]:
    """The enqueued pass: create what is missing for each object (nothing on SQLite). Returns the statements run."""
    done = []
    for sobject in sobjects:
        done += filter_indexes_ensure(workspace_id=workspace_id, sobject=sobject)
    logger.info(
        "sync.filter_indexes_pass", extra={"workspace_id": workspace_id, "sobjects": sobjects, "statements": len(done)}
    )
    return done
