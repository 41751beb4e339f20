"""One django-environ reader for every settings module.

A `.env` file in the project root is read when present, so a developer can keep
local overrides out of the shell; real deployments pass real environment variables.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
