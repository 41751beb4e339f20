"""Every row of every table, to prove that a refused request changed nothing."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import connection

# Rows a refused request may legitimately touch: the session (Django saves it on requests that change it), worker
# heartbeats, and a key's last-used stamp (set when the key is recognised, also when its scope then refuses).
VOLATILE = {"sessions.session", "core.workerheartbeat"}
VOLATILE_FIELDS = {"activities.apikey": {"last_used_at"}}


def _queries() -> list[tuple[str, str]]:
    found = []
    quote = connection.ops.quote_name
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE or not model._meta.managed or model._meta.proxy:
            continue
        skip = VOLATILE_FIELDS.get(label, set())
        columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields if f.name not in skip)
        found.append((label, f"SELECT {columns} FROM {quote(model._meta.db_table)}"))  # noqa: S608 - our names
    return found


def db_snapshot() -> dict[str, dict[str, int]]:
    """Per table, a digest of each row -> how many rows have it (raw SQL: ~60 tables stay cheap to read)."""
    snapshot = {}
    with connection.cursor() as cursor:
        for label, sql in _queries():
            cursor.execute(sql)
            rows: dict[str, int] = {}
            for row in cursor.fetchall():
                digest = hashlib.blake2b(repr(row).encode(), digest_size=12).hexdigest()
                rows[digest] = rows.get(digest, 0) + 1
            snapshot[label] = rows
    return snapshot


def db_changes(before: dict, after: dict) -> list[str]:
    """Tables whose rows differ, with how many rows went and came."""
    changed = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, {}), after.get(label, {})
        if old != new:
            gone = sum(max(0, n - new.get(k, 0)) for k, n in old.items())
            came = sum(max(0, n - old.get(k, 0)) for k, n in new.items())
            changed.append(f"{label} (-{gone} +{came})")
    return changed
