"""Bulk writes that stay one statement per table: SQLite's real parameter limit, and inserts without model instances."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, models
from django.utils import timezone


@contextmanager
def whole_statements(using: str = "default") -> Iterator[None]:
    """Let bulk_create and bulk_update send each table's rows in one statement on SQLite, as they do on PostgreSQL.

    Django 5.2 assumes SQLite's old compile-time default of 999 parameters per statement and splits a bulk insert
    into chunks that fit (a 1,000-event batch's 2,000 jobs of 20 columns became 40 INSERTs). SQLite 3.32+ defaults
    to 32,766, and Debian's builds to 250,000: the running library is asked (Django 6.0 does the same). Only this
    connection's features object is changed, and only inside the block, so nothing else is affected."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    shadowed = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = max(limit, previous)
    try:
        yield
    finally:
        if shadowed:
            features.max_query_params = previous
        else:
            del features.max_query_params


def rows_insert(model: type[models.Model], rows: list[dict], *, now=None, using: str = "default") -> list[int]:
    """Insert rows given as {attname: value} and return their ids in row order: bulk_create without model instances.

    bulk_create spends most of a large batch preparing each value of each instance (a 1,000-event batch's 1,100
    jobs took 0.2 s of which the database needed 0.04 s). Here each column's preparation is decided once: values of
    character, integer, boolean and foreign key columns go as they are, datetimes through the backend's adapter,
    anything else through the field itself. A column a row leaves out gets the field's default as Model() would
    give it; auto_now and auto_now_add columns are `now` (the call's time by default) whatever the row says, as
    bulk_create does. Rows go in order, so ids grow in row order."""
    if not rows:
        return []
    connection = connections[using]
    now = now or timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = []  # per column: attname, how a given value is prepared (None: as it is), the default, stamped or not
    for f in fields:
        prepare = _preparer(f, connection)
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if stamped:
            default = _prepared(prepare, now)
        elif f.has_default() and callable(f.default):
            default = _Fresh(f, connection)  # called per row, as Model() would
        else:
            default = _prepared(prepare, f.get_default())
        plan.append((f.attname, prepare, default, stamped))
    per_statement = max(1, _max_params(connection) // len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for attname, prepare, default, stamped in plan:
                    if stamped or attname not in row:
                        params.append(default() if isinstance(default, _Fresh) else default)
                    else:
                        params.append(row[attname] if prepare is None else prepare(row[attname]))
            values = ", ".join([placeholder] * len(chunk))
            # Only quoted names from the model's meta and placeholders are formatted in; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            ids += [r[0] for r in cursor.fetchall()]
    return ids


_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _preparer(f: models.Field, connection):
    if isinstance(f, models.DateTimeField):
        adapted: dict = {}  # a batch repeats its few timestamps thousands of times: adapt each once

        def datetime_value(value):
            if value not in adapted:
                adapted[value] = connection.ops.adapt_datetimefield_value(value)
            return adapted[value]

        return datetime_value
    if isinstance(f, _AS_IS) or (isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.AutoField)):
        return None
    return lambda value: f.get_db_prep_save(value, connection)


def _prepared(prepare, value):
    return value if prepare is None else prepare(value)


class _Fresh:
    """A callable default: a new value for every row."""

    def __init__(self, f: models.Field, connection):
        self.f, self.connection = f, connection

    def __call__(self):
        return self.f.get_db_prep_save(self.f.get_default(), self.connection)


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535  # PostgreSQL's protocol limit (psycopg binds client-side by default, but stay portable)
