"""`writeback`: 1,000 completed activities over 200 prospects (half new, half existing) from 10 reps, posted to
the events API, written by real django-q2 workers to the sandbox at 150 ms per API call.

Baseline, same process, same sandbox and latency: the loop a user writes by hand with simple-salesforce (query
the prospect, create it if missing, create the Task; one activity at a time). It runs on a sample and its
per-activity figures are extrapolated to 1,000 (see `baseline_sample`). Setup calls (connecting, the admin's
describe visit) are not counted; every API call from the moment the events are posted is.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
ACTIVITIES, PROSPECTS, REPS, EXISTING = 1000, 200, 10, 100
LATENCY_MS = 150
BASELINE_SAMPLE = 100
TIMEOUT_S = 600


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
    tmp = Path(tempfile.mkdtemp(prefix="bench-writeback-"))
    db = tmp / "db.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": f"sqlite:///{db}",
           "Q_WORKERS": str(REPS), "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    setup = _harness(env, "setup", {"sandbox_url": server.url, "org_id": org.org_id, "reps": REPS, "slug": "bench"})
    port = _free_port()
    procs = [_manage(env, "runserver", f"127.0.0.1:{port}", "--noreload"), _manage(env, "qcluster")]
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz")
        time.sleep(2)  # let the cluster's workers come up
        events = _events(setup["reps"], "engine.example")
        control.latency(LATENCY_MS)
        control.clear_requests()
        started = time.monotonic()
        response = requests.post(f"http://127.0.0.1:{port}/api/v1/events/batch", json={"events": events},
                                 headers={"Authorization": f"Bearer {setup['api_key']}"}, timeout=120)  # fmt: skip
        response.raise_for_status()
        ingest_s = time.monotonic() - started
        written = _wait_written(db, ACTIVITIES)
        elapsed = time.monotonic() - started
        calls = control.requests(org=org.org_id)
    finally:
        control.latency(0)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    report = _harness(env, "report", {"workspace_id": setup["workspace_id"]})
    tasks = control.records(org.org_id, "Task", include_deleted=False)
    api_calls = sum(c.get("api_cost", 1) for c in calls)
    _log(f"engine: {written} written in {elapsed:.1f}s with {api_calls} API calls; {len(tasks)} Tasks in the org")
    return {
        "api_calls_per_1000_activities": round(api_calls * 1000 / ACTIVITIES, 1),
        "activities_per_s": round(ACTIVITIES / elapsed, 1),
        "p95_event_to_crm_s": round(_p95(report["latencies"]), 2),
        "api_batch_post_s": round(ingest_s, 2),
        "tasks_in_org": len(tasks),
        "job_statuses": report["statuses"],
    }


def _manage(env: dict, *args: str) -> subprocess.Popen:
    argv = [sys.executable, "manage.py", *args]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def _wait_written(db: Path, expected: int) -> int:
    deadline = time.monotonic() + TIMEOUT_S
    done = 0
    while time.monotonic() < deadline:
        with sqlite3.connect(db, timeout=30) as conn:
            done = conn.execute("SELECT COUNT(*) FROM activities_activity WHERE salesforce_task_id != ''").fetchone()[0]
            failed = conn.execute("SELECT COUNT(*) FROM activities_writebackjob WHERE status = 'failed'").fetchone()[0]
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
        "targets": {"api_calls_per_1000_activities_max": 20, "speedup_min": 10},
    }
