"""Turning Salesforce REST rows into SyncedRecord rows, and writing rows in bulk (Bulk CSV rows: sync/bulk_csv.py).

Values in `data` are typed per describe so the list filters can compare them: numbers as numbers, booleans as
booleans, dates as `YYYY-MM-DD`, datetimes as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC; sorts and compares as text).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import NamedTuple

from django.db import connections, router
from django.utils import timezone

from sync.models import SyncedRecord
from sync.types import NAME_FIELDS

UPSERT_UPDATE_FIELDS = [
    "name",
    "email",
    "owner_id",
    "system_modstamp",
    "created_date",
    "is_deleted",
    "data",
    "synced_at",
]
COLUMN_FIELDS = {"Id", "IsDeleted", "SystemModstamp", "CreatedDate"}
"""Kept in typed columns only, not repeated in `data`."""


def sf_datetime(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def normalize_datetime(value: str) -> str:
    """Both `2024-05-01T10:00:00.000+0000` (REST) and `...000Z` (Bulk) -> `2024-05-01T10:00:00.000Z`."""
    if len(value) >= 23 and value[10] == "T" and value.endswith(("Z", "+0000", "+00:00")):
        return value[:23] + "Z"
    parsed = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _json_converter(field_type: str):
    """REST JSON values already carry their type; datetimes are normalized (Bulk CSV writes them the same way)."""
    if field_type == "datetime":
        return lambda v: normalize_datetime(v) if v else None
    if field_type == "boolean":
        return lambda v: v if v is None else bool(v)
    return lambda v: v


class RecordRow(NamedTuple):
    """One SyncedRecord row, as a plain tuple: a million model instances would cost more than parsing the CSV."""

    workspace_id: int
    sobject: str
    sf_id: str
    name: str
    email: str
    owner_id: str
    system_modstamp: dt.datetime
    created_date: dt.datetime | None
    is_deleted: bool
    data: dict
    seen_run: int | None
    synced_at: dt.datetime


class RecordBuilder:
    """Builds RecordRows for one object of one workspace from either source."""

    def __init__(self, *, workspace_id: int, sobject: str, field_types: dict[str, str], run_id: int | None = None):
        self.workspace_id = workspace_id
        self.sobject = sobject
        self.field_types = field_types
        self.run_id = run_id
        self.name_field = next((f for f in NAME_FIELDS if f in field_types), None)
        self.now = timezone.now()

    def _build(self, data: dict, sf_id: str, modstamp, created, is_deleted: bool) -> RecordRow:
        name = data.get(self.name_field) if self.name_field else None
        return RecordRow(
            self.workspace_id,
            self.sobject,
            sf_id,
            (name or "")[:255],
            (data.get("Email") or "")[:255],
            data.get("OwnerId") or "",
            modstamp,
            created,
            is_deleted,
            data,
            self.run_id,
            self.now,
        )

    def from_json(self, record: dict) -> RecordRow:
        data = {
            name: _json_converter(self.field_types[name])(record.get(name))
            for name in self.field_types
            if name not in COLUMN_FIELDS and name in record
        }
        return self._build(
            data,
            record["Id"],
            sf_datetime(record["SystemModstamp"]),
            sf_datetime(record.get("CreatedDate") or ""),
            bool(record.get("IsDeleted")),
        )


def records_upsert(records: list[RecordRow], *, with_seen_run: bool = False) -> int:
    """Insert or update by (workspace, sobject, sf_id). Idempotent: re-reading a window changes nothing."""
    if not records:
        return 0
    connection = connections[router.db_for_write(SyncedRecord)]
    to_params = _row_params_sqlite if connection.vendor == "sqlite" else _row_params_default
    return params_upsert([to_params(r) for r in records], with_seen_run=with_seen_run, connection=connection)


def params_upsert(params: list[tuple], *, with_seen_run: bool = False, connection=None) -> int:
    """`INSERT ... ON CONFLICT DO UPDATE` through one executemany, on rows already adapted for the database
    (`UPSERT_COLUMNS` order): the statement bulk_create(update_conflicts=True) emits, minus the per-field
    preparation that costs more than the write itself on a million rows."""
    if not params:
        return 0
    connection = connection or connections[router.db_for_write(SyncedRecord)]
    update_fields = UPSERT_UPDATE_FIELDS + (["seen_run"] if with_seen_run else [])
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(connection.vendor, tuple(update_fields)), params)
    return len(params)


UPSERT_COLUMNS = RecordRow._fields
"""Column order of the parameter tuples params_upsert takes."""


@functools.cache
def _upsert_sql(vendor: str, update_fields: tuple[str, ...]) -> str:
    table = SyncedRecord._meta.db_table
    columns = ", ".join(_column(name) for name in UPSERT_COLUMNS)
    # PostgreSQL: `data` arrives as JSON text (already encoded), cast once by the server into jsonb.
    placeholders = ", ".join(
        "CAST(%s AS jsonb)" if name == "data" and vendor == "postgresql" else "%s" for name in UPSERT_COLUMNS
    )
    updates = ", ".join(f"{_column(name)} = excluded.{_column(name)}" for name in update_fields)
    # Table and column names come from the model's _meta; every value is a parameter.
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT (workspace_id, sobject, sf_id) DO UPDATE SET {updates}"
    )


def _row_params_sqlite(r: RecordRow) -> tuple:
    """Adapted exactly as Django's SQLite backend does: naive UTC datetimes as text, JSON as text."""
    return (
        r.workspace_id, r.sobject, r.sf_id, r.name, r.email, r.owner_id, sqlite_datetime(r.system_modstamp),
        sqlite_datetime(r.created_date), r.is_deleted, json.dumps(r.data), r.seen_run,
        sqlite_datetime(r.synced_at),
    )  # fmt: skip


def _row_params_default(r: RecordRow) -> tuple:
    """PostgreSQL (psycopg adapts aware datetimes itself); JSON as text, cast in the statement."""
    return (
        r.workspace_id, r.sobject, r.sf_id, r.name, r.email, r.owner_id, r.system_modstamp, r.created_date,
        r.is_deleted, json.dumps(r.data), r.seen_run, r.synced_at,
    )  # fmt: skip


def _column(name: str) -> str:
    return SyncedRecord._meta.get_field(name).column


def sqlite_datetime(value: dt.datetime | None) -> str | None:
    # What django.db.backends.sqlite3 stores for an aware datetime with USE_TZ: naive UTC, str().
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def records_fields_merge(
    *, workspace_id: int, sobject: str, fields: list[str], rows: list[tuple[str, dt.datetime, dict]]
) -> int:
    """Field backfill: set `fields` in `data` of existing rows, leaving every other key as it is. `rows` are
    (sf_id, SystemModstamp, values). A local row newer than the value read was written by an incremental window
    that already read the field, so it is left alone. Missing rows are not created (out of the copy's scope)."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(SyncedRecord)]
    table = SyncedRecord._meta.db_table
    where = "workspace_id = %s AND sobject = %s AND sf_id = %s AND system_modstamp <= %s"
    if connection.vendor == "sqlite":
        # json_set keeps JSON null (json_patch would drop the key); one path/value pair per field.
        pairs = ", ".join("%s, json(%s)" for _ in fields)
        sql = f"UPDATE {table} SET data = json_set(data, {pairs}) WHERE {where}"  # noqa: S608
        paths = [f'$."{name}"' for name in fields]  # API names: letters, digits and underscores only
        params = [
            (*[p for path, name in zip(paths, fields, strict=True) for p in (path, json.dumps(values.get(name)))],
             workspace_id, sobject, sf_id, sqlite_datetime(modstamp))
            for sf_id, modstamp, values in rows
        ]  # fmt: skip
    else:
        sql = f"UPDATE {table} SET data = data || CAST(%s AS jsonb) WHERE {where}"  # noqa: S608
        params = [
            (json.dumps({name: values.get(name) for name in fields}), workspace_id, sobject, sf_id, modstamp)
            for sf_id, modstamp, values in rows
        ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)


def json_values(record: dict, field_types: dict[str, str], fields: list[str]) -> dict:
    """The stored form of `fields` of one REST record (the same conversion as a full import's)."""
    return {name: _json_converter(field_types[name])(record.get(name)) for name in fields}
