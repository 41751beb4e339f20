"""Run every registered benchmark (or those named on the command line) and print one JSON line each."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback

from bench import BENCHMARKS


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    wanted = set(argv)
    failed = False
    unknown = wanted - set(BENCHMARKS) - set(BENCHMARKS.values())
    if unknown:
        print(f"bench: unknown benchmark {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name, path in BENCHMARKS.items():
        if wanted and not wanted & {name, path}:
            continue
        started = time.perf_counter()
        print(f"bench: running {path}", file=sys.stderr, flush=True)
        try:
            results = importlib.import_module(path).run()
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            print(json.dumps({"name": path, "error": "benchmark failed; see stderr"}), flush=True)
            failed = True
            continue
        for result in results if isinstance(results, list) else [results]:
            print(json.dumps(result, sort_keys=False), flush=True)
        print(f"bench: {path} took {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
