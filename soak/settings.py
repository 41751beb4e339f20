"""Settings of every soak process (web, clusters, the driver): local settings with DEBUG off, as in production (with
DEBUG on Django keeps every query's SQL in memory), and knobs from the environment so that a short run can compress
time. Unset, each knob keeps the product's default:

- SOAK_Q_TIMEOUT_S, SOAK_Q_RETRY_S: django-q2's task timeout and redelivery.
- SOAK_WRITEBACK_LEASE_S, SOAK_WRITEBACK_BACKOFF_BASE_S, SOAK_WRITEBACK_BACKOFF_CAP_S: the writeback ledger's
  (activities/conf.py); the lease must stay above the task timeout.
- WORKER_SUPERVISOR_RESTART_SECONDS and the rest of config/settings/base.py read the environment as usual.
"""

import os

from config.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")}}  # noqa: F405

Q_CLUSTER = {**Q_CLUSTER}  # noqa: F405
for _key, _var in (("timeout", "SOAK_Q_TIMEOUT_S"), ("retry", "SOAK_Q_RETRY_S")):
    if os.environ.get(_var):
        Q_CLUSTER[_key] = int(os.environ[_var])
for _name in ("LEASE_S", "BACKOFF_BASE_S", "BACKOFF_CAP_S"):
    if os.environ.get(f"SOAK_WRITEBACK_{_name}"):
        globals()[f"WRITEBACK_{_name}"] = float(os.environ[f"SOAK_WRITEBACK_{_name}"])

# The soak's users never sign in; hashing fifty passwords the production way only slows its setup.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
