"""Throwaway databases for the benchmarks: a SQLite file in a temporary folder, or, when DATABASE_URL names a
PostgreSQL server, a new database on that server (created here, dropped by `drop`). The bench reads its results
straight from them (`rows`), outside Django, while the web and worker processes it started write to them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def server_url() -> str:
    """The PostgreSQL server to use (DATABASE_URL, when it is one), else ''."""
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in ("postgres", "postgresql", "pgsql") else ""


class Throwaway:
    def __init__(self, label: str, *, template: Throwaway | None = None):
        """`template`: start as a copy of that (migrated, still empty) database."""
        self.server = server_url()
        if self.server:
            import psycopg

            self.name = f"bench_{label}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
            parts = urlsplit(self.server)
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self._admin = urlunsplit(parts._replace(path="/postgres"))
            # Names are built here from a label and numbers, never from input.
            copy = f" TEMPLATE {template.name}" if template else ""
            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {self.name}{copy}")
            self.vendor = "postgresql"
        else:
            self.dir = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
            self.path = self.dir / "db.sqlite3"
            if template:
                shutil.copy(template.path, self.path)
            self.url = f"sqlite:///{self.path}"
            self.vendor = "sqlite"

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one read; `?` placeholders."""
        if self.server:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        if self.server:
            import psycopg

            with psycopg.connect(self._admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def epoch(value) -> float:
    """A timestamp column as epoch seconds: SQLite gives naive UTC text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
