"""A django-q2 worker is SIGKILLed while it waits for work; the supervisor notices and tasks run again.

An idle worker waits for the next task inside the task queue's read lock; killed there, it takes the lock with it
and the cluster never hands out another task (django-q2 issue #23), though every other process looks fine. The test
plays that kill against `manage.py supervise_worker` running a real cluster, and asserts that heartbeat tasks are
executed again, by a worker of a new cluster, well within 90 s; and that a cluster that exits is started again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4, after the parenthesised command name
                found.append(int(entry))
    return found


def descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        kids = children(todo.pop())
        out.update(kids)
        todo.extend(kids)
    return out


def last_beat(db: Path) -> tuple[str, int] | None:
    with contextlib.closing(sqlite3.connect(db, timeout=10)) as conn:
        try:
            row = conn.execute("SELECT beat_at, pid FROM core_workerheartbeat").fetchone()
        except sqlite3.OperationalError:
            return None
    return (row[0], row[1]) if row else None


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def beat_unchanged_for(db: Path, seconds: float) -> bool:
    """The queue is drained and the worker idle (waiting inside the read lock): no task started for `seconds`. On a
    loaded machine a backlog of fed tasks outlasts the feed, and a worker killed mid-task is simply replaced."""
    before = last_beat(db)
    time.sleep(seconds)
    return before is not None and last_beat(db) == before


def stop(proc: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_a_killed_idle_worker_no_longer_stops_every_task(tmp_path):
    db = tmp_path / "supervise.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.core.worker_settings",
           "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}  # fmt: skip
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr[-3000:]

    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    feed_argv = [sys.executable, "-m", "tests.core.cluster_feed"]
    log = tmp_path / "supervisor.log"
    supervisor = subprocess.Popen([sys.executable, "manage.py", "supervise_worker"], cwd=ROOT, env=env,
                                  start_new_session=True, stdout=subprocess.DEVNULL, stderr=log.open("w"))  # fmt: skip
    feed = subprocess.Popen(feed_argv, cwd=ROOT, env=env, start_new_session=True, **quiet)
    clusters_seen: set[int] = set()
    try:
        first = wait_for(lambda: last_beat(db), 120, "a first heartbeat")  # startup is not what is tested
        (cluster,) = children(supervisor.pid)
        clusters_seen.add(cluster)
        worker = first[1]
        assert worker in descendants(cluster)

        # No more work coming in: the one worker now sits in the queue's read lock, waiting. Kill it there.
        stop(feed)
        wait_for(lambda: beat_unchanged_for(db, 3.0), 120, "the worker to finish the queued tasks")
        killed_at = time.monotonic()
        os.kill(worker, signal.SIGKILL)
        feed = subprocess.Popen(feed_argv, cwd=ROOT, env=env, start_new_session=True, **quiet)

        def beat_by_another_worker():
            beat = last_beat(db)
            return beat if beat and beat[1] != worker else None

        healed = wait_for(beat_by_another_worker, 90, "tasks to be executed again after the kill")
        assert time.monotonic() - killed_at < 90
        (new_cluster,) = wait_for(lambda: children(supervisor.pid), 10, "the supervisor's cluster")
        clusters_seen.add(new_cluster)
        assert new_cluster != cluster  # the wedged cluster was replaced, not merely given a new worker
        assert healed[1] in descendants(new_cluster)

        # A cluster that dies outright (here: its whole process group SIGKILLed) is started again too.
        os.killpg(new_cluster, signal.SIGKILL)
        third = wait_for(lambda: [c for c in children(supervisor.pid) if c != new_cluster], 30, "another cluster")
        clusters_seen.update(third)

        def beat_from_a_later_cluster():  # on a loaded machine the third may itself be replaced before its first task
            beat = last_beat(db)
            later = [c for c in children(supervisor.pid) if c != new_cluster]
            clusters_seen.update(later)
            return beat and any(beat[1] in descendants(c) for c in later)

        wait_for(beat_from_a_later_cluster, 90, "a beat from a cluster started after the kill")
        assert supervisor.poll() is None
    finally:
        stop(feed)
        clusters_seen.update(children(supervisor.pid))
        stop(supervisor)  # SIGTERM: it stops its cluster and exits
        for pgid in clusters_seen:  # in case it could not
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
    assert supervisor.returncode == 0, log.read_text()[-3000:]
    assert "worker_supervisor.stalled" in log.read_text(), log.read_text()[-3000:]
    assert "worker_supervisor.cluster_exited" in log.read_text(), log.read_text()[-3000:]


class FakeCluster:
    pid = 4242

    def poll(self):
        return None


def test_a_cluster_too_slow_to_start_gets_longer_each_time_instead_of_being_killed_in_a_loop(monkeypatch):
    """On a loaded machine a fresh cluster may need longer than restart_after for its first task; killing it at the
    same age again and again would never let one start."""
    from core.management.commands import supervise_worker as module

    now = [1000.0]
    beat_age = [None]  # seconds since the last task started anywhere; None: never
    killed = []

    def monotonic():  # a real clock moves between two readings in one check
        now[0] += 1e-6
        return now[0]

    monkeypatch.setattr(module.time, "monotonic", monotonic)
    monkeypatch.setattr(module, "worker_heartbeat_age", lambda: beat_age[0])
    monkeypatch.setattr(module, "close_old_connections", lambda: None)
    supervisor = module.ClusterSupervisor(argv=[], restart_after=8, check_every=0.5, stop_timeout=1)
    monkeypatch.setattr(supervisor, "_kill_group", lambda: killed.append(now[0]))

    def start():
        supervisor.child, supervisor.started = FakeCluster(), now[0]

    def run_until_killed(limit=200.0):
        start()
        begun = now[0]
        while supervisor.child is not None and now[0] - begun < limit:
            now[0] += 0.5
            supervisor._check()
        return now[0] - begun

    assert run_until_killed() == pytest.approx(8.5, abs=0.5)
    assert run_until_killed() == pytest.approx(16.5, abs=0.5)  # the first restart did not help: wait twice as long
    assert run_until_killed() == pytest.approx(32.5, abs=0.5)
    assert run_until_killed() == pytest.approx(64.5, abs=0.5)
    assert run_until_killed() == pytest.approx(64.5, abs=0.5)  # capped at 8x

    start()  # this one starts a task after 20 s, then goes quiet (the wedge the supervisor exists for)
    now[0] += 20
    beat_age[0] = 0.0
    supervisor._check()
    assert supervisor.fruitless_restarts == 0
    begun = now[0]
    while supervisor.child is not None:
        now[0] += 0.5
        beat_age[0] += 0.5
        supervisor._check()
    assert now[0] - begun == pytest.approx(8.5, abs=0.5)  # back to the normal patience
