"""Counters such as the sign-in lockout must be shared by every process, so the default cache is not in-memory."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection


@pytest.mark.django_db
def test_the_default_cache_is_the_database_table_made_by_migrate():
    cache.set("signin:probe", 3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM switchboard_cache")
        assert cursor.fetchone()[0] == 1
    assert cache.get("signin:probe") == 3
