"""Settings for the supervisor test: test settings, a real (non-sync) django-q2 cluster of one worker, and a
supervisor that gives up on a silent cluster after a few seconds instead of minutes."""

from config.settings.test import *  # noqa: F403

# One worker: an idle worker always waits inside the task queue's read lock, so killing it always wedges the cluster.
Q_CLUSTER = {**Q_CLUSTER, "sync": False, "workers": 1, "poll": 0.1, "timeout": 30, "retry": 60}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
WORKER_SUPERVISOR_RESTART_SECONDS = 8
WORKER_SUPERVISOR_CHECK_SECONDS = 0.5
