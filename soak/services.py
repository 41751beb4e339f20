"""The processes a soak starts and kills: its own database, the sandbox, the web server, the worker clusters, and the
chaos loop. Processes are found through /proc (Linux), by parent pid: nothing is killed by name."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(f"soak: {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


# --- the soak's own database, on the server DATABASE_URL names -------------------------------------------------------


def database_create(server_url: str) -> tuple[str, str]:
    """CREATE DATABASE soak_<time>_<pid> next to the one in `server_url`; returns (its URL, its name)."""
    import psycopg

    name = f"soak_{int(time.time())}_{os.getpid()}"
    with psycopg.connect(_admin_url(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def database_drop(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_url(server_url: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path="/postgres"))


# --- /proc ------------------------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a live process, None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    if rest[0] in ("Z", "X"):
        return None
    return int(rest[1]), int(rest[19])


def children(pid: int) -> list[int]:
    """Live child pids of `pid`, oldest first."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[0] == pid:
                found.append((stat[1], int(entry.name)))
    return [pid for _, pid in sorted(found)]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # If the driver itself is killed outright, what it started gets SIGTERM (supervisors then stop their clusters)
    # instead of running on with nobody to stop it.
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# --- processes --------------------------------------------------------------------------------------------------------


@dataclass
class Cluster:
    """One `manage.py supervise_worker` (a machine's worker service) and what it runs: qcluster (its own process
    group) -> the sentinel -> the workers, the monitor and the pusher."""

    name: str
    supervisor: subprocess.Popen
    workers: int
    qcluster_pids: list[int] = field(default_factory=list)  # every qcluster this supervisor started, in order
    _aux: dict[int, set[int]] = field(default_factory=dict)  # sentinel pid -> its monitor and pusher

    def qcluster(self) -> int | None:
        kids = children(self.supervisor.pid)
        return kids[-1] if kids else None

    def observe(self) -> None:
        pid = self.qcluster()
        if pid and (not self.qcluster_pids or self.qcluster_pids[-1] != pid):
            self.qcluster_pids.append(pid)

    def worker_pids(self) -> list[int]:
        """The sentinel spawns its workers first, then the monitor and the pusher; the sentinel replaces a dead worker
        by a new one later, so the two auxiliaries are the youngest of its first full set of children."""
        pid = self.qcluster()
        sentinels = children(pid) if pid else []
        if not sentinels:
            return []
        sentinel = sentinels[0]
        kids = children(sentinel)
        if sentinel not in self._aux:
            if len(kids) < self.workers + 2:
                return []  # still starting
            self._aux[sentinel] = set(kids[self.workers :])
        return [k for k in kids if k not in self._aux[sentinel]]


class Processes:
    """Everything started here, stopped in reverse order however the run ends."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.started: list[subprocess.Popen] = []
        self.clusters: list[Cluster] = []
        self.logs = Path(env.get("SOAK_LOG_DIR") or tempfile.gettempdir()) / f"soak-{os.getpid()}"
        self.logs.mkdir(parents=True, exist_ok=True)

    def spawn(self, name: str, argv: list[str], **env: str) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child writes to it for its whole life
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **env}, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                preexec_fn=_die_with_parent)  # fmt: skip
        out.close()
        self.started.append(proc)
        return proc

    def manage(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        return self.spawn(name, [sys.executable, "manage.py", *args], **env)

    def sandbox(self) -> str:
        port = free_port()
        self.spawn("sandbox", [sys.executable, "-m", "sandbox", "--port", str(port)])
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_sandbox/")
        return url

    def web(self) -> str:
        port = free_port()
        self.manage("web", "runserver", f"127.0.0.1:{port}", "--noreload")
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz")
        return url

    def start_clusters(self, count: int, workers: int) -> None:
        for n in range(count):
            name = f"cluster{n + 1}"
            proc = self.manage(name, "supervise_worker", Q_WORKERS=str(workers))
            self.clusters.append(Cluster(name=name, supervisor=proc, workers=workers))

    def stop(self) -> None:
        for proc in reversed(self.started):  # supervisors stop their clusters gracefully on SIGTERM
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for cluster in self.clusters:  # a cluster whose supervisor died first would live on
            for pid in cluster.qcluster_pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)


class Chaos(threading.Thread):
    """Every `every_s`, SIGKILL one worker process of a random cluster, or (`cluster_share` of the time) the whole
    cluster's process group. Bringing them back is the product's job: django-q2's sentinel replaces a dead worker,
    `supervise_worker` restarts a dead or stalled cluster. Also watches for those restarts."""

    def __init__(self, clusters: list[Cluster], *, every_s: float, cluster_share: float, seed: int):
        super().__init__(name="chaos", daemon=True)
        self.clusters, self.every_s, self.cluster_share = clusters, every_s, cluster_share
        self.rng = random.Random(seed)
        self.stopping = threading.Event()
        self.worker_kills = 0
        self.cluster_kills = 0
        self.timeline: list[dict] = []

    def run(self) -> None:
        next_kill = time.monotonic() + self.every_s
        while not self.stopping.wait(0.5):
            for cluster in self.clusters:
                cluster.observe()
            if self.every_s and time.monotonic() >= next_kill:
                next_kill += self.every_s
                self._kill()

    def _kill(self) -> None:
        cluster = self.rng.choice(self.clusters)
        whole = self.rng.random() < self.cluster_share
        target = cluster.qcluster() if whole else None
        if not whole:
            workers = cluster.worker_pids()
            target = self.rng.choice(workers) if workers else None
        if target is None:
            self.timeline.append({"t": time.time(), "cluster": cluster.name, "skipped": "not running"})
            return
        try:
            if whole:
                os.killpg(target, signal.SIGKILL)
                self.cluster_kills += 1
            else:
                os.kill(target, signal.SIGKILL)
                self.worker_kills += 1
        except ProcessLookupError:
            return
        self.timeline.append({"t": time.time(), "cluster": cluster.name, "killed": "cluster" if whole else "worker"})
        log(f"chaos: SIGKILL {'cluster' if whole else 'worker'} {target} of {cluster.name}")

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)

    @property
    def cluster_restarts(self) -> int:
        return sum(max(0, len(c.qcluster_pids) - 1) for c in self.clusters)
