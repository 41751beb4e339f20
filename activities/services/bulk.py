"""Bulk statements that stay one statement: SQLite's real limit on bound parameters instead of Django's guess."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


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
