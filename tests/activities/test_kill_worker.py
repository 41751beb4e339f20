"""A django-q2 worker is SIGKILLed while its batch write is in flight; another run finishes the job.

Salesforce (the sandbox) has already created the Tasks of the killed write, but our ledger never heard back. The
second run claims the stalled jobs once their lease is over, looks the Tasks up (by External ID when Task has one,
else by their marker) before writing, and creates only the missing ones: every activity ends with exactly one Task.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = 60
LATENCY_MS = 2500
EXT = "sb_activityid__c"


def run(env, command: str, args: dict, timeout: float = 120) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "activities.testing", command, json.dumps(args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def events(reps: list[str]) -> list[dict]:
    return [
        {"type": "activity", "id": f"kill-{n}", "kind": "call", "state": "completed", "user": reps[n % len(reps)],
         "prospect": {"email": f"k{n % 20}-{n % len(reps)}@example.org", "first_name": "K", "last_name": f"P{n}"},
         "subject": f"Call {n}", "call": {"duration_seconds": 60}}
        for n in range(ACTIVITIES)
    ]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("external_id", [False, True], ids=["marker", "external-id"])
def test_worker_killed_mid_batch_every_activity_written_once(sandbox, sandbox_org, tmp_path, external_id):
    if external_id:  # then the replay finds its Tasks by External ID instead of the Description marker
        sandbox.control.add_field(sandbox_org.org_id, "Task", EXT, "string", external_id=True, unique=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.activities.worker_settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.sqlite3'}", "PYTHONPATH": str(ROOT)}  # fmt: skip
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    setup = run(env, "setup", {"sandbox_url": sandbox.url, "org_id": sandbox_org.org_id, "reps": 2})
    control = sandbox.control

    argv = [sys.executable, "manage.py", "qcluster"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    cluster = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True, **quiet)
    try:
        control.latency(LATENCY_MS)
        run(env, "ingest", {"workspace_id": setup["workspace_id"], "events": events(setup["reps"])})
        # The sandbox creates records first and answers after the latency: once Tasks exist, the write is in flight.
        deadline = time.monotonic() + 60
        while not control.records(sandbox_org.org_id, "Task", include_deleted=False):
            assert time.monotonic() < deadline, "the worker never started writing"
            time.sleep(0.05)
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait(timeout=10)
    finally:
        control.latency(0)
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGKILL)

    before = run(env, "report", {"workspace_id": setup["workspace_id"]})
    assert before["statuses"].get("running"), before["statuses"]  # the kill left claimed jobs behind
    assert before["written"] < ACTIVITIES

    # Another worker, after the lease is over, finishes the job.
    run(env, "drain", {"later_s": 3600})
    after = run(env, "report", {"workspace_id": setup["workspace_id"]})
    assert set(after["statuses"]) == {"succeeded"}, after["statuses"]
    assert after["written"] == ACTIVITIES

    tasks = control.records(sandbox_org.org_id, "Task", include_deleted=False)
    if external_id:
        markers = Counter(t.get(EXT) for t in tasks)
    else:
        markers = Counter(
            m for t in tasks for m in re.findall(r"\[switchboard:(\d+-\d+)\]", t.get("Description") or "")
        )
    assert set(markers) == set(after["keys"])  # none missing
    assert all(count == 1 for count in markers.values()), markers.most_common(3)  # none duplicated
    assert len(tasks) == ACTIVITIES
    assert {t["Id"] for t in tasks} == set(after["keys"].values())
