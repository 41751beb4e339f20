"""`manage.py supervise_worker`: run `manage.py qcluster` and restart it whenever it stops executing tasks.

django-q2 has a known defect (django-q2 issue #23): workers read the task queue under one shared lock, and a worker
killed while it waits for the next task dies holding that lock, so the cluster never hands out another task while it
looks alive. Nothing inside the cluster notices. This supervisor watches the worker heartbeat (core/services.py) and,
when no task has started for WORKER_SUPERVISOR_RESTART_SECONDS, SIGKILLs the cluster's whole process group and starts a
fresh one; it also restarts a cluster that exits. Killed tasks are safe to lose: the writeback ledger and sync runs
pick up their work again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from core.selectors import worker_heartbeat_age

logger = logging.getLogger(__name__)

# A cluster that exits within this long of its start is failing to start: wait longer each time, up to the cap.
QUICK_EXIT_S = 10.0
MAX_BACKOFF_S = 30.0
KILL_WAIT_S = 10.0
MAX_PATIENCE_DOUBLINGS = 3


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux only: if the supervisor itself is SIGKILLed, the cluster gets SIGTERM (a graceful stop) instead of living
    # on as an orphan nobody watches.
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Run the django-q2 cluster (manage.py qcluster) and restart it when it stops executing tasks or exits."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=4.0,
            help="On SIGTERM/SIGINT, seconds the cluster gets to stop gracefully before it is killed (default 4, "
            "inside honcho's 5).",
        )

    def handle(self, *args, **options):
        argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"]
        ClusterSupervisor(
            argv=argv,
            restart_after=settings.WORKER_SUPERVISOR_RESTART_SECONDS,
            check_every=settings.WORKER_SUPERVISOR_CHECK_SECONDS,
            stop_timeout=options["stop_timeout"],
        ).run()


class ClusterSupervisor:
    def __init__(self, *, argv: list[str], restart_after: float, check_every: float, stop_timeout: float):
        self.argv = argv
        self.restart_after = restart_after
        self.check_every = check_every
        self.stop_timeout = stop_timeout
        self.child: subprocess.Popen | None = None
        self.started = 0.0  # monotonic time of the current child's start
        self.backoff = 1.0
        self.stopping = False
        # Restarts in a row whose cluster never started a task: on a machine too loaded to start a cluster within
        # restart_after, killing it again at the same age would loop for ever, so each such restart waits longer.
        self.fruitless_restarts = 0

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        try:
            while not self.stopping:
                if self.child is None:
                    self._start()
                self._sleep(self.check_every)
                if not self.stopping:
                    self._check()
        finally:
            self._stop_child()

    def _request_stop(self, signum, frame) -> None:
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def _start(self) -> None:
        # Its own session, so one killpg takes the sentinel, workers, pusher and monitor and never us.
        self.child = subprocess.Popen(self.argv, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: S603
        self.started = time.monotonic()
        logger.info("worker_supervisor.started", extra={"pid": self.child.pid})

    def _check(self) -> None:
        code = self.child.poll()
        if code is not None:
            lived = time.monotonic() - self.started
            logger.error("worker_supervisor.cluster_exited", extra={"pid": self.child.pid, "code": code})
            self._kill_group()  # its sentinel or workers may outlive it
            self.child = None
            self.backoff = min(self.backoff * 2, MAX_BACKOFF_S) if lived < QUICK_EXIT_S else 1.0
            self._sleep(self.backoff)
            return
        quiet, worked = self._quiet_seconds()
        if quiet is None:
            return
        if worked:
            self.fruitless_restarts = 0
        if quiet > self.patience():
            logger.critical(
                "worker_supervisor.stalled", extra={"pid": self.child.pid, "seconds_without_task": int(quiet)}
            )
            if not worked:
                self.fruitless_restarts += 1
            self._kill_group()
            self.child = None
            self.backoff = 1.0

    def patience(self) -> float:
        """Seconds without a task before a restart: restart_after, doubled for each fruitless restart (up to 8x)."""
        return self.restart_after * 2 ** min(self.fruitless_restarts, MAX_PATIENCE_DOUBLINGS)

    def _quiet_seconds(self) -> tuple[float | None, bool]:
        """Seconds since a worker last started a task, counted from this child's start at the earliest, and whether
        this child has started one (None: the heartbeat could not be read)."""
        since_start = time.monotonic() - self.started
        try:
            close_old_connections()  # a long-lived process: drop connections the database has closed on us
            age = worker_heartbeat_age()
        except Exception as exc:  # database unreachable: a restart would not help, so only report it
            logger.warning("worker_supervisor.heartbeat_unreadable", extra={"error": str(exc)})
            return None, False
        if age is None or age >= since_start:
            return since_start, False
        return age, True

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.child.pid, signal.SIGKILL)
        try:
            self.child.wait(timeout=KILL_WAIT_S)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable; a stuck kernel wait
            logger.error("worker_supervisor.kill_timeout", extra={"pid": self.child.pid})

    def _stop_child(self) -> None:
        if self.child is None:
            return
        if self.child.poll() is None:
            # The main qcluster process stops its sentinel and workers on SIGTERM, letting running tasks finish.
            self.child.send_signal(signal.SIGTERM)
            try:
                self.child.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning("worker_supervisor.stop_timeout", extra={"pid": self.child.pid})
        self._kill_group()  # whatever is left (a stuck worker blocks the graceful stop for ever)
        self.child = None
