"""Events stored per second by the ingest service, set-based (today's) beside one event at a time (before issue 17).

Run by `bench.writeback` in a subprocess on its own throwaway database (`python -m bench.ingest_rate '{...}'` with
DJANGO_SETTINGS_MODULE and DATABASE_URL set); prints one JSON line. Each path gets its own workspace and reps and
the same events: after a 10-event warm-up, 1,000-event batches of completed activities over 200 new prospects
each (three for the set-based path, the median reported; one for the per-event path), then 10,000 events in ten
batches of 1,000 whose prospects overlap by half with the batch before (found ones and new ones; the per-event path
runs the first two of them unless BENCH_FULL=1). Timed: the service call, validation and the on-commit wake
included (the broker's queue rows are written); no HTTP. Both wall-clock and CPU seconds of this process are
reported: on a shared machine the wall clock measures the neighbours too.
"""

from __future__ import annotations

import json
import os
import sys
import time

BATCH, BATCHES, PROSPECTS_PER_BATCH, REPS = 1000, 10, 200, 10


def _events(reps: list[str], *, tag: str, first_prospect: int) -> list[dict]:
    events = []
    for n in range(BATCH):
        p = first_prospect + n % PROSPECTS_PER_BATCH
        event = {"type": "activity", "id": f"{tag}-{n}", "kind": ("call", "email_sent", "linkedin_message")[n % 3],
                 "state": "completed", "user": reps[p % len(reps)], "subject": f"Touch {n}",
                 "completed_at": "2026-05-01T10:00:00Z",
                 "prospect": {"email": f"p{p}@rate.example", "first_name": "New", "last_name": f"Prospect {p}",
                              "title": "VP Sales", "company": {"name": f"Newco {p % 40}"}}}  # fmt: skip
        if n % 3 == 0:
            event["call"] = {"duration_seconds": 90, "disposition": "Connected"}
        events.append(event)
    return events


def _team(slug: str):
    from django.contrib.auth import get_user_model

    from workspaces.models import Membership, Role, Workspace

    workspace = Workspace.objects.create(name=slug, slug=slug)
    reps = []
    for n in range(REPS):
        user = get_user_model().objects.create_user(email=f"rep{n}@{slug}.test", password="x")
        Membership.objects.create(user=user, workspace=workspace, role=Role.REP)
        reps.append(user.email)
    return workspace, reps


def _timed(ingest, workspace, batches: list[list[dict]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) to ingest the batches one after another."""
    wall, cpu = time.perf_counter(), time.process_time()
    for events in batches:
        ingest(workspace=workspace, events=events)
    return time.perf_counter() - wall, time.process_time() - cpu


def _measure(ingest, slug: str, *, singles: int, run_batches: int) -> dict:
    """`singles` 1,000-event batches (the median is reported), then `run_batches` of the 10-batch run."""
    workspace, reps = _team(slug)
    ingest(workspace=workspace, events=_events(reps, tag="warm", first_prospect=2_000_000)[:10])
    one = sorted(
        _timed(ingest, workspace, [_events(reps, tag=f"one{k}", first_prospect=1_000_000 + k * PROSPECTS_PER_BATCH)])
        for k in range(singles)
    )[singles // 2]
    batches = [_events(reps, tag=f"run{k}", first_prospect=k * PROSPECTS_PER_BATCH // 2) for k in range(run_batches)]
    run_wall, run_cpu = _timed(ingest, workspace, batches)
    events = BATCH * run_batches
    return {
        "batch_1000_events_per_s": round(BATCH / one[0]),
        "batch_1000_events_per_cpu_s": round(BATCH / one[1]),
        "run_10000_events_per_s": round(events / run_wall),
        "run_10000_events_per_cpu_s": round(events / run_cpu),
        "run_events_measured": events,
    }


def run(args: dict) -> dict:
    from django.db import connection

    from activities.models import Activity
    from activities.services.ingest import events_ingest
    from bench.ingest_per_event import events_ingest_per_event

    result = {"database": connection.vendor}
    # The per-event path takes seconds per batch: by default it runs one 1,000-event batch and the first two
    # batches of the run (its rate is steady from batch to batch); BENCH_FULL=1 runs all ten.
    full = os.environ.get("BENCH_FULL") == "1"
    plans = {
        "set_based": (events_ingest, 3, BATCHES),
        "per_event": (events_ingest_per_event, 1, BATCHES if full else 2),
    }
    for name in args.get("paths", list(plans)):
        ingest, singles, run_batches = plans[name]
        result[name] = _measure(ingest, slug=name.replace("_", "-"), singles=singles, run_batches=run_batches)
    result["activities_stored"] = Activity.objects.count()
    return result


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    print(json.dumps(run(json.loads(argv[0]) if argv else {})), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
