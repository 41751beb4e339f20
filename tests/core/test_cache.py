"""Counters such as the sign-in lockout must be shared by every process, so the default cache is not in-memory:
the database table made by migrate, or Redis when REDIS_URL is set."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection


def test_the_default_cache_is_shared_by_every_process():
    expected = RedisCache if settings.REDIS_URL else DatabaseCache
    assert isinstance(caches["default"], expected)


@pytest.mark.django_db
@pytest.mark.skipif(bool(settings.REDIS_URL), reason="Redis is the cache when REDIS_URL is set")
def test_the_default_cache_is_the_database_table_made_by_migrate():
    cache.set("signin:probe", 3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM switchboard_cache")
        assert cursor.fetchone()[0] == 1
    assert cache.get("signin:probe") == 3
