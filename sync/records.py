"""Turning Salesforce rows (Bulk CSV strings or REST JSON) into SyncedRecord rows, and writing them in bulk.

Values in `data` are typed per describe so the list filters can compare them: numbers as numbers, booleans as
booleans, dates as `YYYY-MM-DD`, datetimes as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC; sorts and compares as text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.db import connections, router
from django.utils import timezone

from sync.models import SyncedRecord
from sync.soql import NUMBER_TYPES
from sync.types import NAME_FIELDS

csv.field_size_limit(2**31 - 1)  # long text areas exceed the csv module's 128 KB default

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


def _sf_datetime(value: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _normalize_datetime(value: str) -> str:
    """Both `2024-05-01T10:00:00.000+0000` (REST) and `...000Z` (Bulk) -> `2024-05-01T10:00:00.000Z`."""
    if len(value) >= 23 and value[10] == "T" and value.endswith(("Z", "+0000", "+00:00")):
        return value[:23] + "Z"
    parsed = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _converter(field_type: str):
    """A function from the CSV text of a value to its JSON value ('' means null in Bulk CSV)."""
    if field_type == "boolean":
        return lambda v: v == "true" if v else None
    if field_type == "int":
        return lambda v: int(v) if v else None
    if field_type in NUMBER_TYPES:
        return lambda v: float(v) if v else None
    if field_type == "datetime":
        return lambda v: _normalize_datetime(v) if v else None
    return lambda v: v.replace("\x00", "") if v else None


def _json_converter(field_type: str):
    """Same for REST JSON values, which already carry their type."""
    if field_type == "datetime":
        return lambda v: _normalize_datetime(v) if v else None
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

    def as_model(self) -> SyncedRecord:
        return SyncedRecord(**self._asdict())


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

    def from_csv(self, header: list[str], rows: Iterable[list[str]]) -> Iterator[RecordRow]:
        """Rows of a Bulk CSV page (header already read). Columns not in `field_types` are ignored."""
        i_id = header.index("Id")
        i_mod = header.index("SystemModstamp")
        i_del = header.index("IsDeleted") if "IsDeleted" in header else None
        i_created = header.index("CreatedDate") if "CreatedDate" in header else None
        data_columns = [
            (i, name, _converter(self.field_types[name]))
            for i, name in enumerate(header)
            if name in self.field_types and name not in COLUMN_FIELDS
        ]
        build = self._build
        for row in rows:
            if not row:
                continue
            data = {name: convert(row[i]) for i, name, convert in data_columns}
            yield build(
                data,
                row[i_id],
                _sf_datetime(row[i_mod]),
                _sf_datetime(row[i_created]) if i_created is not None else None,
                i_del is not None and row[i_del] == "true",
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
            _sf_datetime(record["SystemModstamp"]),
            _sf_datetime(record.get("CreatedDate") or ""),
            bool(record.get("IsDeleted")),
        )


def csv_rows(raw) -> tuple[list[str], Iterator[list[str]]]:
    """(header, row iterator) over a streamed CSV body: never holds more than the csv module's read buffer."""
    raw.decode_content = True  # gzip, when the server compressed the page
    raw.auto_close = False  # else urllib3 reports "closed" at end of body and io wrappers fail before EOF
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = next(reader, [])
    return header, reader


def records_upsert(records: list[RecordRow], *, with_seen_run: bool = False) -> int:
    """Insert or update by (workspace, sobject, sf_id). Idempotent: re-reading a window changes nothing."""
    if not records:
        return 0
    update_fields = UPSERT_UPDATE_FIELDS + (["seen_run"] if with_seen_run else [])
    connection = connections[router.db_for_write(SyncedRecord)]
    if connection.vendor == "sqlite":
        _sqlite_upsert(connection, records, update_fields)
    else:
        SyncedRecord.objects.bulk_create(
            [r.as_model() for r in records],
            update_conflicts=True,
            unique_fields=["workspace", "sobject", "sf_id"],
            update_fields=update_fields,
        )
    return len(records)


_INSERT_COLUMNS = RecordRow._fields


def _sqlite_upsert(connection, records: list[RecordRow], update_fields: list[str]) -> None:
    """`INSERT ... ON CONFLICT DO UPDATE` through executemany: same statement bulk_create(update_conflicts=True)
    emits, minus the per-field preparation that costs more than the write itself on a million rows. Values are
    adapted exactly as Django's SQLite backend does (naive UTC datetimes as text, JSON as text)."""
    table = SyncedRecord._meta.db_table
    columns = ", ".join(_column(name) for name in _INSERT_COLUMNS)
    placeholders = ", ".join("%s" for _ in _INSERT_COLUMNS)
    updates = ", ".join(f"{_column(name)} = excluded.{_column(name)}" for name in update_fields)
    # Table and column names come from the model's _meta; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT (workspace_id, sobject, sf_id) DO UPDATE SET {updates}"
    )
    dumps = json.dumps
    synced_at = _sqlite_datetime(records[0].synced_at)
    params = [
        (
            r.workspace_id,
            r.sobject,
            r.sf_id,
            r.name,
            r.email,
            r.owner_id,
            _sqlite_datetime(r.system_modstamp),
            _sqlite_datetime(r.created_date),
            r.is_deleted,
            dumps(r.data),
            r.seen_run,
            synced_at,
        )  # fmt: skip
        for r in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _column(name: str) -> str:
    return SyncedRecord._meta.get_field(name).column


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # What django.db.backends.sqlite3 stores for an aware datetime with USE_TZ: naive UTC, str().
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))
