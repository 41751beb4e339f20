"""`writeback`: 1,000 completed activities over 200 prospects (half new, half existing) from 10 reps, posted to
the events API, written by real django-q2 workers to the sandbox at 150 ms per API call.

Figures:
- the burst: the 1,000 posted as one batch; API calls per 1,000 activities, activities/s, `p95_event_to_crm_s`
  (from the moment the POST is sent to the activity's Task written, read from our ledger's `written_at`).
- steady rate: then, with the same server and workers, one event POST every 100 ms for 60 s (four in five for
  prospects the burst placed, one in five for a new prospect, which needs a lookup, a create and the Task):
  `p95_event_to_crm_s_steady`, each from its own POST.
- ingest: events stored per second by the ingest service itself (bench/ingest_rate.py, its own database),
  today's set-based path beside the per-event path it replaced (bench/ingest_per_event.py), measured in one
  process: a 1,000-event batch and 10,000 events in ten batches, per wall-clock second and per CPU second.
Databases: throwaway SQLite files by default; with DATABASE_URL naming a PostgreSQL server, throwaway databases
created on it (and dropped after), so the same run measures PostgreSQL (`database` in the result says which).
`bench/postgres.sh` starts a throwaway PostgreSQL server, as CI does, and runs the benchmark against it.
Web and workers run with DEBUG off, as in production (with it on, Django keeps every query's SQL in memory).

Baseline, same process, same sandbox and latency: the loop a user writes by hand with simple-salesforce (query
the prospect, create it if missing, create the Task; one activity at a time). It runs on a sample and its
per-activity figures are extrapolated to 1,000 (see `baseline_sample`). Setup calls (connecting, the admin's
describe visit) are not counted; every API call from the moment the events are posted is.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.databases import Throwaway, epoch

ROOT = Path(__file__).resolve().parents[1]
ACTIVITIES, PROSPECTS, REPS, EXISTING = 1000, 200, 10, 100
LATENCY_MS = 150
BASELINE_SAMPLE = 100
TIMEOUT_S = 600
STEADY_PER_S, STEADY_S, STEADY_NEW_EVERY = 10, 60, 5


def _log(message: str) -> None:
    print(f"bench.writeback: {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)] if ordered else 0.0


def _harness(env: dict, command: str, args: dict) -> dict:
    argv = [sys.executable, "-m", "activities.testing", command, json.dumps(args)]
    out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    if out.returncode:
        raise RuntimeError(f"harness {command} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _org(control):
    users = [{"username": "admin@bench.sandbox", "first_name": "Ada", "last_name": "Admin",
              "profile": "System Administrator", "role": "admin"}]  # fmt: skip
    users += [{"username": f"rep{n}@bench.sandbox", "first_name": "Rep", "last_name": str(n), "role": "rep",
               "email": f"rep{n}@bench.sandbox"} for n in range(REPS)]  # fmt: skip
    org = control.create_org(name=f"bench-{int(time.time())}", edition="Enterprise Edition", licenses=100,
                             users=users, api_limit=5_000_000)  # fmt: skip
    control.load_records(org.org_id, "Contact", [
        {"FirstName": "Existing", "LastName": f"Contact {n}", "Email": f"existing{n}@customer.example"}
        for n in range(EXISTING)
    ], return_ids=False)  # fmt: skip
    return org


def _prospect(n: int, domain: str) -> dict:
    if n < EXISTING:
        return {"email": f"existing{n}@customer.example", "first_name": "Existing", "last_name": f"Contact {n}"}
    company = {"name": f"Newco {n % 40}", "domain": f"newco{n % 40}.example"}
    return {"email": f"new{n}@{domain}", "first_name": "New", "last_name": f"Prospect {n}", "title": "VP Sales",
            "company": company}  # fmt: skip


def _events(reps: list[str], domain: str) -> list[dict]:
    """Each prospect is worked by one rep (the one sequencing it), 5 activities each."""
    events = []
    for n in range(ACTIVITIES):
        p = n % PROSPECTS
        events.append({
            "type": "activity", "id": f"bench-{n}", "kind": ("call", "email_sent", "linkedin_message")[n % 3],
            "state": "completed", "user": reps[p % len(reps)], "prospect": _prospect(p, domain),
            "subject": f"Touch {n}", "completed_at": "2026-05-01T10:00:00Z",
            "call": {"duration_seconds": 90, "disposition": "Connected"} if n % 3 == 0 else None,
        })  # fmt: skip
        if events[-1]["call"] is None:
            del events[-1]["call"]
    return events


def _engine(server, org) -> dict:
    control = server.control
    db = Throwaway("writeback")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": db.url,
           "Q_WORKERS": str(REPS), "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "DEBUG": "false"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    spare = Throwaway("ingest", template=db)  # a migrated, empty database for the ingest figures
    setup = _harness(env, "setup", {"sandbox_url": server.url, "org_id": org.org_id, "reps": REPS, "slug": "bench"})
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/v1"
    headers = {"Authorization": f"Bearer {setup['api_key']}"}
    procs = [_manage(env, "runserver", f"127.0.0.1:{port}", "--noreload"), _manage(env, "qcluster")]
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz")
        time.sleep(2)  # let the cluster's workers come up
        events = _events(setup["reps"], "engine.example")
        control.latency(LATENCY_MS)
        control.clear_requests()
        sent = time.time()
        started = time.monotonic()
        response = requests.post(f"{url}/events/batch", json={"events": events}, headers=headers, timeout=120)
        response.raise_for_status()
        ingest_s = time.monotonic() - started
        written = _wait_written(db, ACTIVITIES)
        elapsed = time.monotonic() - started
        calls = control.requests(org=org.org_id)
        burst_latencies = [at - sent for at in _written_at(db, "bench-").values()]
        steady = _steady(db, url, headers, setup["reps"], control, org)
    finally:
        control.latency(0)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    report = _harness(env, "report", {"workspace_id": setup["workspace_id"]})
    db.drop()
    tasks = control.records(org.org_id, "Task", include_deleted=False)
    api_calls = sum(c.get("api_cost", 1) for c in calls)
    _log(f"engine: {written} written in {elapsed:.1f}s with {api_calls} API calls; {len(tasks)} Tasks in the org")
    return {
        "database": db.vendor,
        "api_calls_per_1000_activities": round(api_calls * 1000 / ACTIVITIES, 1),
        "activities_per_s": round(ACTIVITIES / elapsed, 1),
        "p95_event_to_crm_s": round(_p95(burst_latencies), 2),
        "first_event_to_crm_s": round(min(burst_latencies), 2),
        "api_batch_post_s": round(ingest_s, 2),
        **steady,
        "tasks_in_org": len(tasks),
        "job_statuses": report["statuses"],
        "_ingest_db": spare,
        "_env": env,
    }


def _steady(db: Throwaway, url: str, headers: dict, reps: list[str], control, org) -> dict:
    """One event POST every 1/STEADY_PER_S s, each timed from its own send to its Task written."""
    count = STEADY_PER_S * STEADY_S
    sent: dict[str, float] = {}
    lock = threading.Lock()
    failures = []
    control.clear_requests()

    def post(n: int) -> None:
        if n % STEADY_NEW_EVERY == 0:
            prospect, rep = _prospect(10_000 + n, "steady.example"), reps[n % len(reps)]
        else:
            p = n % PROSPECTS
            prospect, rep = _prospect(p, "engine.example"), reps[p % len(reps)]
        event = {"type": "activity", "id": f"steady-{n}", "kind": "call", "state": "completed", "user": rep,
                 "prospect": prospect, "subject": f"Call {n}", "completed_at": "2026-05-01T11:00:00Z",
                 "call": {"duration_seconds": 60, "disposition": "Connected"}}  # fmt: skip
        with lock:
            sent[event["id"]] = time.time()
        response = requests.post(f"{url}/events", json=event, headers=headers, timeout=60)
        if response.status_code != 202:
            failures.append(response.status_code)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n in range(count):
            time.sleep(max(0.0, started + n / STEADY_PER_S - time.monotonic()))
            pool.submit(post, n)
    _wait_written(db, count, prefix="steady-")
    calls = sum(c.get("api_cost", 1) for c in control.requests(org=org.org_id))
    written = _written_at(db, "steady-")
    latencies = [written[key] - at for key, at in sent.items() if key in written]
    _log(f"steady: {len(latencies)} of {count} written; {calls} API calls; {len(failures)} POSTs refused")
    return {
        "p95_event_to_crm_s_steady": round(_p95(latencies), 2),
        "p50_event_to_crm_s_steady": round(sorted(latencies)[len(latencies) // 2], 2) if latencies else None,
        "steady_events": count,
        "steady_api_calls_per_1000_activities": round(calls * 1000 / count, 1),
    }


def _written_at(db: Throwaway, prefix: str) -> dict[str, float]:
    """external id -> when its Task was written (epoch seconds), from the ledger."""
    rows = db.rows("SELECT external_id, written_at FROM activities_activity WHERE external_id LIKE ? AND "
                   "written_at IS NOT NULL", (f"{prefix}%",))  # fmt: skip
    return {key: epoch(at) for key, at in rows}


def _ingest_rates(engine: dict) -> dict:
    """bench.ingest_rate on the engine's spare migrated database (same kind as the engine's)."""
    spare = engine.pop("_ingest_db")
    try:
        return _run_ingest_rate({**engine.pop("_env"), "DATABASE_URL": spare.url})
    finally:
        spare.drop()


def _run_ingest_rate(env: dict) -> dict:
    argv = [sys.executable, "-m", "bench.ingest_rate", "{}"]
    out = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    if out.returncode:
        raise RuntimeError(f"bench.ingest_rate failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    _log(f"ingest on {result['database']}: {result}")
    return result


def _manage(env: dict, *args: str) -> subprocess.Popen:
    """A manage.py process; its warnings and errors go to a log file named on stderr (what "see the server log"
    means during a benchmark)."""
    argv = [sys.executable, "manage.py", *args]
    log = Path(tempfile.gettempdir()) / f"bench-writeback-{os.getpid()}-{args[0]}.log"
    _log(f"{args[0]} logs to {log}")
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)  # noqa: S603


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 300  # a busy machine starts Django slowly
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def _wait_written(db: Throwaway, expected: int, *, prefix: str = "") -> int:
    deadline = time.monotonic() + TIMEOUT_S
    done = 0
    while time.monotonic() < deadline:
        ((done,),) = db.rows("SELECT COUNT(*) FROM activities_activity WHERE salesforce_task_id != '' AND "
                             "external_id LIKE ?", (f"{prefix}%",))  # fmt: skip
        ((failed,),) = db.rows("SELECT COUNT(*) FROM activities_writebackjob JOIN activities_activity a ON "
                               "a.id = activity_id WHERE status = 'failed' AND a.external_id LIKE ?",
                               (f"{prefix}%",))  # fmt: skip
        if done >= expected or (failed and done + failed >= expected):
            return done
        time.sleep(0.1)
    raise RuntimeError(f"only {done}/{expected} activities written after {TIMEOUT_S}s")


def _baseline(server, org) -> dict:
    """One activity at a time, as the rep: find the Contact (or Lead), create it if missing, create the Task."""
    from simple_salesforce import format_soql

    control = server.control
    reps = [u for u in org.users if u.role == "rep"]
    clients = {u.id: org.simple_salesforce(u) for u in reps}
    # The same mix in miniature: every activity of 20 of the 200 prospects (half existing, half new).
    step = PROSPECTS // (PROSPECTS * BASELINE_SAMPLE // ACTIVITIES)
    events = [e for n, e in enumerate(_events([u.id for u in reps], "baseline.example")) if (n % PROSPECTS) % step == 0]
    control.latency(LATENCY_MS)
    control.clear_requests()
    started = time.monotonic()
    latencies = []
    try:
        for event in events:
            sf = clients[event["user"]]
            prospect = event["prospect"]
            found = sf.query(format_soql("SELECT Id FROM Contact WHERE Email = {}", prospect["email"]))["records"]
            if not found:
                found = sf.query(format_soql("SELECT Id FROM Lead WHERE Email = {}", prospect["email"]))["records"]
            who = found[0]["Id"] if found else sf.Contact.create({
                "FirstName": prospect["first_name"], "LastName": prospect["last_name"], "Email": prospect["email"],
            })["id"]  # fmt: skip
            sf.Task.create({"WhoId": who, "Subject": event["subject"], "Status": "Completed",
                            "ActivityDate": "2026-05-01"})  # fmt: skip
            latencies.append(time.monotonic() - started)
    finally:
        control.latency(0)
    elapsed = time.monotonic() - started
    calls = control.requests(org=org.org_id)
    per_activity_s = elapsed / len(events)
    # All 1,000 arrive at once and are worked through one by one: activity k reaches Salesforce at k·per_activity.
    extrapolated = [per_activity_s * (k + 1) for k in range(ACTIVITIES)]
    api_calls = sum(c.get("api_cost", 1) for c in calls)
    _log(f"baseline: {len(events)} in {elapsed:.1f}s with {api_calls} API calls")
    return {
        "api_calls_per_1000_activities": round(api_calls * 1000 / len(events), 1),
        "activities_per_s": round(1 / per_activity_s, 2),
        "p95_event_to_crm_s": round(_p95(extrapolated), 1),
    }


def run() -> dict:
    from sandbox.testing import SandboxServer

    server = SandboxServer().start()
    try:
        org = _org(server.control)
        engine = _engine(server, org)
        baseline = _baseline(server, org)
    finally:
        server.stop()
    ingest = _ingest_rates(engine)
    speedup = engine["activities_per_s"] / baseline["activities_per_s"] if baseline["activities_per_s"] else None
    return {
        "name": "writeback",
        "activities": ACTIVITIES,
        "prospects": PROSPECTS,
        "reps": REPS,
        "latency_ms": LATENCY_MS,
        **engine,
        "baseline_api_calls_per_1000_activities": baseline["api_calls_per_1000_activities"],
        "baseline_activities_per_s": baseline["activities_per_s"],
        "baseline_p95_event_to_crm_s": baseline["p95_event_to_crm_s"],
        "baseline_sample": BASELINE_SAMPLE,
        "baseline_note": "simple-salesforce loop on a sample; per-activity figures extrapolated to 1,000",
        "speedup_activities_per_s": round(speedup, 1) if speedup else None,
        **_ingest_figures(ingest),
        "targets": {
            "api_calls_per_1000_activities_max": 20,
            "speedup_min": 10,
            "p95_event_to_crm_s_max": 3,
            "p95_event_to_crm_s_steady_max": 1.5,
            "ingest_events_per_s_min": 5000,
            "ingest_speedup_min": 20,
        },  # fmt: skip
    }


def _ingest_figures(result: dict) -> dict:
    new, old = result["set_based"], result["per_event"]
    out = {}
    for key, (figure, unit) in {
        "ingest_events_per_s": ("batch_1000", "s"),
        "ingest_events_per_s_10000": ("run_10000", "s"),
        "ingest_events_per_cpu_s": ("batch_1000", "cpu_s"),
        "ingest_events_per_cpu_s_10000": ("run_10000", "cpu_s"),
    }.items():
        out[key] = new[f"{figure}_events_per_{unit}"]
        out[f"baseline_{key}"] = old[f"{figure}_events_per_{unit}"]
    out["ingest_speedup"] = round(out["ingest_events_per_s"] / out["baseline_ingest_events_per_s"], 1)
    out["ingest_speedup_10000"] = round(out["ingest_events_per_s_10000"] / out["baseline_ingest_events_per_s_10000"], 1)
    out["baseline_ingest_note"] = (f"per-event path (bench/ingest_per_event.py) in the same process; its 10,000 run "
                                   f"measured on the first {old['run_events_measured']:,} events")  # fmt: skip
    return out
