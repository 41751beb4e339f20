"""`python -m tests.core.cluster_feed`: enqueue the heartbeat task twice a second until killed.

Run with DJANGO_SETTINGS_MODULE=tests.core.worker_settings and DATABASE_URL at the test's database. Stands in for the
real schedule (one beat per ~30 s) so the supervisor test can use thresholds of seconds.
"""

from __future__ import annotations

import time

import django


def main() -> None:
    django.setup()
    from django_q.tasks import async_task

    while True:
        async_task("core.tasks.worker_heartbeat")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
