"""A django-q2 worker running a full sync is SIGKILLed while a batch write is in flight; another worker resumes.

What must hold: the killed batch left nothing behind (its transaction never committed), the step checkpoint names
exactly the rows that were committed, and the resumed run ends with the local rows equal to the org's Contacts:
none missing, none twice, read from the same Bulk job (no second export).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 20_000
BATCH, PAGE = 1000, 3500  # tests/sync/worker_settings.py
BIG_JOURNAL = 60_000
"""Bytes of rollback journal only a batch upsert reaches (~100-150 KB for 1,000 Contacts; a heartbeat or a queue
update touches a few pages, under 25 KB)."""


def harness(env, command: str, args: dict, timeout: float = 120) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "sync.testing", command, json.dumps(args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def locator_offset(locator: str) -> int:
    """The sandbox's locators are base64 row offsets ('' = the first page)."""
    return int(base64.b64decode(locator + "=" * (-len(locator) % 4))) if locator else 0


def kill_during_a_batch_write(cluster: subprocess.Popen, journal: Path, nth: int) -> None:
    """SIGKILL the cluster while its `nth` batch upsert is half-written: SQLite's rollback journal exists only
    inside a write transaction, and grows past BIG_JOURNAL only while many pages change (a batch)."""
    seen, inside = 0, False
    sizes = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert cluster.poll() is None, "the worker cluster exited"
        try:
            size = journal.stat().st_size
        except FileNotFoundError:
            size = 0
        if size and (not sizes or sizes[-1] != size):
            sizes.append(size)
        if size > BIG_JOURNAL and not inside:
            seen, inside = seen + 1, True
            if seen == nth:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait(timeout=10)
                return
        elif size == 0:
            inside = False
        time.sleep(0.0005)
    pytest.fail(f"saw {seen} batch writes, never the {nth}th {sizes}")


@pytest.mark.slow
def test_worker_killed_mid_batch_resumes_without_gaps_or_duplicates(sandbox, sandbox_org, tmp_path):
    db = tmp_path / "kill.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.sync.worker_settings", "DATABASE_URL": f"sqlite:///{db}",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    control, org = sandbox.control, sandbox_org.org_id
    rows = [{"FirstName": "K", "LastName": f"P{i:05d}", "Email": f"k{i}@example.test"} for i in range(TOTAL)]
    control.load_records(org, "Contact", rows, return_ids=False)
    workspace_id = harness(env, "setup", {"sandbox_url": sandbox.url, "org_id": org})["workspace_id"]

    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        harness(env, "start", {"workspace_id": workspace_id})
        kill_during_a_batch_write(cluster, Path(f"{db}-journal"), nth=5)
    finally:
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGKILL)
    assert Path(f"{db}-journal").stat().st_size > BIG_JOURNAL  # a hot journal: the kill landed inside a batch

    before = harness(env, "report", {"workspace_id": workspace_id})  # opening the file rolls the batch back
    (step,) = before["steps"]
    assert before["run"]["status"] == "running"  # as a dead worker leaves it
    assert step["mode"] == "bulk", (step, before["run"])
    committed = len(before["records"])
    # The checkpoint was advanced with, and only with, the batches that committed: it names exactly those rows.
    assert 0 < committed < TOTAL
    assert committed == step["records_done"] == before["run"]["records_done"]
    assert committed == locator_offset(step["locator"]) + step["page_offset"]
    assert step["page_offset"] % BATCH == 0  # whole batches only: the half-written one was rolled back

    after = harness(env, "resume", {"workspace_id": workspace_id})
    assert after["status"] == "succeeded", after

    report = harness(env, "report", {"workspace_id": workspace_id})
    local = Counter(sf_id for _sobject, sf_id, _name, _deleted in report["records"])
    assert all(n == 1 for n in local.values())  # no duplicates
    remote = {r["Id"]: r for r in control.records(org, "Contact", include_deleted=False)}
    assert set(local) == set(remote)  # no gaps
    assert not [r for r in report["records"] if r[3]]  # nothing swept as deleted
    assert {r[2] for r in report["records"]} == {f"K P{i:05d}" for i in range(TOTAL)}
    assert report["steps"][0]["records_done"] == TOTAL
    creates = [r for r in control.requests(org=org) if r["method"] == "POST" and r["path"].endswith("/jobs/query")]
    assert len(creates) == 1  # resumed on the same Bulk job: no second export
