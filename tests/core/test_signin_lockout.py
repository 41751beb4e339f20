"""The sign-in lockout holds across processes: its counts live in the shared cache (a database table by default),
not in one process's memory, so a second web process refuses the locked account too."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(email: str, password: str):
    return Client().post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.skipif(not isinstance(caches["default"], DatabaseCache), reason="the database cache (no REDIS_URL)")
def test_failed_sign_ins_are_counted_in_the_shared_table_and_lock_the_account():
    user = UserFactory()
    for _ in range(5):
        assert _sign_in(user.email, "wrong").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM switchboard_cache")
        assert cursor.fetchone()[0] > 0  # the counts are rows another process reads
    locked = _sign_in(user.email, DEFAULT_PASSWORD)
    assert locked.status_code in (200, 429) and "_auth_user_id" not in locked.client.session
