"""Settings for worker subprocesses in the sync kill test: test settings, a real (non-sync) django-q2 cluster, and
small batches and pages so a run spans many commits."""

from config.settings.test import *  # noqa: F403

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1, "poll": 0.1, "timeout": 120, "retry": 240}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
SYNC_BATCH_SIZE = 1000
SYNC_BULK_PAGE_SIZE = 3500  # batches do not line up with pages on purpose
SYNC_REST_MAX_RECORDS = 100
SYNC_STALE_AFTER_SECONDS = 2
