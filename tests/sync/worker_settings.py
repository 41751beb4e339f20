"""Settings for worker subprocesses in the sync kill test: test settings, a real (non-sync) django-q2 cluster, and
small batches and pages so a run spans many commits."""

from config.settings.test import *  # noqa: F403

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1, "poll": 0.1, "timeout": 120, "retry": 240}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
SYNC_BATCH_SIZE = 1000
SYNC_BULK_PAGE_SIZE = 3500  # batches do not line up with pages on purpose
SYNC_REST_MAX_RECORDS = 100
SYNC_STALE_AFTER_SECONDS = 2
# The kill test sees from outside when a batch is half-written by the rollback journal, which exists only inside a
# write transaction; WAL (the product's default) has no such signal. What is tested is our resume, which does not
# depend on the journal mode.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "init_command": "PRAGMA journal_mode=DELETE;"}  # noqa: F405
