"""`python -m soak [--short] [--activities N ...]` (`make soak ARGS=...`): one JSON object on stdout, progress on
stderr. Needs DATABASE_URL (PostgreSQL; a database of its own is created next to the one named, and dropped) and
REDIS_URL; `make soak` starts throwaway ones. `python -m soak --help` lists every knob."""

from __future__ import annotations

import json
import os
import signal
import sys


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM tears down like Ctrl-C: every process stopped, the database dropped


def main(argv: list[str]) -> int:
    from soak.config import config_from

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        config = config_from(argv)
    except ValueError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        print("soak: needs PostgreSQL (DATABASE_URL=postgres://...) and Redis (REDIS_URL=redis://...); `make soak` "
              "starts throwaway ones", file=sys.stderr)  # fmt: skip
        return 2
    from soak.run import main_env, soak_run
    from soak.services import database_create, database_drop, log

    url, name = database_create(server)
    log(f"database {name}")
    os.environ.update(main_env(), DATABASE_URL=url)
    try:
        import django

        django.setup()
        result = soak_run(config, dict(os.environ))
        result["database"] = name if config.keep else None
    finally:
        from django.db import connections

        connections.close_all()
        if not config.keep:
            database_drop(server, name)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
