"""Test settings: tasks run inline, fast password hashing, no outgoing email."""

from .base import *  # noqa: F403
from .base import _derived_dev_key

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-4c1e9b7a2d8f3e6c5b0a9d7e2f1c8b3a"
FIELD_ENCRYPTION_KEYS = [_derived_dev_key(SECRET_KEY)]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the default shared-cache in-memory database: there, a second connection that meets a write
    # lock fails at once ("database table is locked") instead of waiting, so tests of row locking between
    # concurrent workers cannot run. One file per process, so parallel runs never share it.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"switchboard-test-{os.getpid()}.sqlite3")
    }
