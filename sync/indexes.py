"""PostgreSQL indexes behind the record-list filters (SQLite: nothing to do; see sync/README.md, "Storage").

- Equality filters (picklists, booleans) on any mapped field use `data @> {"Field": value}`, served by the one GIN
  index on `data` (jsonb_path_ops) that migration 0002 creates.
- Range filters (numbers, dates) compare `data -> 'Field'`, and text filters `UPPER(data ->> 'Field') LIKE`; a GIN
  index cannot serve those, so each filterable field of those kinds gets its own partial expression index (B-tree;
  trigram GIN for text when pg_trgm is available), created here, CONCURRENTLY, from the worker after a full import
  or a reconcile, never from a web request.

Field names cannot be SQL parameters: only names matching the API-name pattern reach the DDL (soql.check_name).
"""

from __future__ import annotations

import hashlib
import logging

from django.db import DatabaseError, connections, router

from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync.models import SyncedRecord
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
