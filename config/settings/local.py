"""Developer machine and `make run`: debug on, SQLite and the ORM broker unless told otherwise."""

from config.env import env

from .base import *  # noqa: F403
from .base import _derived_dev_key

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "dev-insecure-8f2b0c3e9a7d4b1f6e5c2a9d8b7f3e1c0a4d6b2f9e8c7a5d"  # noqa: F405
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [_derived_dev_key(SECRET_KEY)]  # noqa: F405
# `make run` starts the sandbox on SANDBOX_PORT; the demo workspace's Salesforce setup points at it.
SANDBOX_URL = SANDBOX_URL or f"http://127.0.0.1:{env.int('SANDBOX_PORT', default=8765)}"  # noqa: F405
