"""Settings for worker subprocesses in the kill test: test settings, but a real (non-sync) django-q2 cluster."""

from config.settings.test import *  # noqa: F403

Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 2, "poll": 0.1, "timeout": 60, "retry": 120}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
