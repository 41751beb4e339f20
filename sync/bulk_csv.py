"""Bulk API 2.0 CSV rows straight into upsert parameter tuples (`records.UPSERT_COLUMNS` order).

A full sync reads a million rows; building a dict, a datetime and a JSON document per row through the generic
path costs more than SQLite's write. Here each CSV column gets one small converter chosen once per page from
describe, and `data` is written as JSON text from a template (`{"Title": %s, ...}`) whose slots are filled with
JSON fragments. The text is what `json.dumps` would produce for the same dict (same separators, ASCII escapes).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable

from django.utils import timezone

from sync.records import COLUMN_FIELDS, normalize_datetime, sf_datetime, sqlite_datetime
from sync.soql import NUMBER_TYPES
from sync.types import NAME_FIELDS

csv.field_size_limit(2**31 - 1)  # long text areas exceed the csv module's 128 KB default

_quote = json.encoder.encode_basestring_ascii


def _fragment(field_type: str) -> Callable[[str], str]:
    """CSV text of a value -> its JSON text ('' means null in Bulk CSV)."""
    if field_type == "boolean":
        return lambda v: ("true" if v == "true" else "false") if v else "null"
    if field_type == "int":
        return lambda v: str(int(v)) if v else "null"
    if field_type in NUMBER_TYPES:
        return lambda v: repr(float(v)) if v else "null"
    if field_type == "datetime":
        # Bulk already writes `2024-05-01T10:00:00.000Z`, the stored form.
        return lambda v: _quote(v if len(v) == 24 and v[23] == "Z" else normalize_datetime(v)) if v else "null"
    return lambda v: _quote(v.replace("\x00", "")) if v else "null"


def _sqlite_stamp(value: str) -> str | None:
    """Bulk's `2024-05-01T10:00:00.123Z` as Django's SQLite backend stores it (`2024-05-01 10:00:00.123000`,
    no fraction when it is zero), without building a datetime."""
    if len(value) == 24 and value[19] == "." and value[23] == "Z":
        millis = value[20:23]
        return f"{value[:10]} {value[11:19]}" + ("" if millis == "000" else f".{millis}000")
    return sqlite_datetime(sf_datetime(value)) if value else None


def _iso_stamp(value: str) -> str | None:
    return value or None  # PostgreSQL parses ISO 8601 with a zone itself


class CsvRowAdapter:
    """Built once per result page (its header); `params(row)` gives the row's upsert tuple."""

    def __init__(
        self,
        *,
        header: list[str],
        field_types: dict[str, str],
        workspace_id: int,
        sobject: str,
        run_id: int | None,
        vendor: str,
    ):
        index = {name: i for i, name in enumerate(header)}
        self.i_id = index["Id"]
        self.i_mod = index["SystemModstamp"]
        self.i_del = index.get("IsDeleted")
        self.i_created = index.get("CreatedDate")
        name_field = next((f for f in NAME_FIELDS if f in field_types and f in index), None)
        self.i_name = index.get(name_field) if name_field else None
        self.i_email = index.get("Email") if "Email" in field_types else None
        self.i_owner = index.get("OwnerId") if "OwnerId" in field_types else None
        columns = [(i, name) for i, name in enumerate(header) if name in field_types and name not in COLUMN_FIELDS]
        self.data_columns = [(i, _fragment(field_types[name])) for i, name in columns]
        self.data_template = "{" + ", ".join(f"{_quote(name)}: %s" for _i, name in columns) + "}"
        self.stamp = _sqlite_stamp if vendor == "sqlite" else _iso_stamp
        now = timezone.now()
        self.constant = (workspace_id, sobject)
        self.tail = (run_id, sqlite_datetime(now) if vendor == "sqlite" else now)

    def params(self, row: list[str]) -> tuple:
        stamp, i_name, i_email, i_owner, i_created = self.stamp, self.i_name, self.i_email, self.i_owner, self.i_created
        return (
            *self.constant,
            row[self.i_id],
            row[i_name].replace("\x00", "")[:255] if i_name is not None else "",
            row[i_email].replace("\x00", "")[:255] if i_email is not None else "",
            row[i_owner] if i_owner is not None else "",
            stamp(row[self.i_mod]),
            stamp(row[i_created]) if i_created is not None else None,
            self.i_del is not None and row[self.i_del] == "true",
            self.data_template % tuple([convert(row[i]) for i, convert in self.data_columns]),
            *self.tail,
        )

    def newest(self, rows: list[list[str]]) -> dt.datetime | None:
        """The latest SystemModstamp of `rows` (Bulk writes them all in one UTC format, so text order is time
        order)."""
        i = self.i_mod
        return sf_datetime(max(row[i] for row in rows)) if rows else None

    def deletes(self, rows: list[list[str]]) -> int:
        if self.i_del is None:
            return 0
        i = self.i_del
        return sum(1 for row in rows if row[i] == "true")
