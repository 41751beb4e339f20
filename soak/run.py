"""The soak's timeline, in the driver process (Django set up on the soak's own database):

setup (sandbox, org, workspace, web, clusters) -> faults on -> chaos and the steady load start; at 30% of the load one
rep's token is revoked, at 50% the burst is sent, at 60% the rep reconnects -> the load ends, chaos stops -> wait until
no write is left unfinished (drained_s) -> count (soak/report.py) -> tear down.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from soak import report
from soak.destinations import DESTINATIONS
from soak.load import Poster, plan_make
from soak.services import ROOT, Chaos, Processes, log


class QueueLag(threading.Thread):
    """Once a second: how long the oldest due write has waited for a worker (a pending job past its time, or a
    running one whose claim has lapsed because its worker died)."""

    def __init__(self):
        super().__init__(name="queue-lag", daemon=True)
        self.stopping = threading.Event()
        self.max_s = 0.0

    def run(self) -> None:
        from django.db import connection
        from django.db.models import Min
        from django.utils import timezone

        from activities.models import JobStatus, WritebackJob

        try:
            while not self.stopping.wait(1.0):
                try:
                    now = timezone.now()
                    due = WritebackJob.objects.filter(status=JobStatus.PENDING, next_attempt_at__lte=now).aggregate(
                        m=Min("next_attempt_at"))["m"]  # fmt: skip
                    lapsed = WritebackJob.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now).aggregate(
                        m=Min("lease_until"))["m"]  # fmt: skip
                    for since in (due, lapsed):
                        if since is not None:
                            self.max_s = max(self.max_s, (now - since).total_seconds())
                except Exception as exc:  # a sample lost is not worth the run
                    log(f"queue lag sample failed: {exc}")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


def _unfinished(workspace_id: int) -> int:
    from activities.models import WritebackJob
    from activities.models.ledger import UNFINISHED_STATUSES

    return WritebackJob.objects.filter(workspace_id=workspace_id, status__in=UNFINISHED_STATUSES).count()


def _initial_import_wait(workspace_id: int, timeout_s: float = 240) -> None:
    """The org was connected a while ago: its first import (started by the first sync tick) is done before the load,
    so that what runs throughout is the incremental sync."""
    from sync.models import SyncRun
    from sync.types import RunKind, RunStatus

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if SyncRun.objects.filter(workspace_id=workspace_id, kind=RunKind.FULL, status=RunStatus.SUCCEEDED).exists():
            return
        time.sleep(1.0)
    log(f"the first import did not finish within {timeout_s:.0f}s; starting the load anyway")


def _at(started: float, fraction: float, duration_s: float, action, name: str) -> threading.Thread:
    def later():
        time.sleep(max(0.0, started + fraction * duration_s - time.monotonic()))
        try:
            action()
        except Exception as exc:  # reported, and the figures will show what it cost
            log(f"{name} failed: {type(exc).__name__}: {exc}")

    thread = threading.Thread(target=later, name=name, daemon=True)
    thread.start()
    return thread


def soak_run(config, env: dict[str, str]) -> dict:
    from django.core.management import call_command

    started_setup = time.monotonic()
    procs = Processes({**env, "PYTHONPATH": str(ROOT)})
    chaos = lag = None
    try:
        log(f"migrating; logs of every process in {procs.logs}")
        call_command("migrate", interactive=False, verbosity=0)
        sandbox_url = procs.sandbox()
        slugs = [s.strip() for s in config.providers.split(",") if s.strip()]
        unknown = set(slugs) - set(DESTINATIONS)
        if unknown:
            raise ValueError(f"unknown provider {', '.join(sorted(unknown))}; known: {', '.join(DESTINATIONS)}")
        destinations = [DESTINATIONS[slug](sandbox_url, config) for slug in slugs]
        crm = destinations[0]  # the CRM: where Tasks, Contacts and Leads go (Salesforce today)
        crm.org_create()
        setup = crm.workspace_setup()
        plan = plan_make(config, setup["reps"])
        crm.existing_contacts(plan.existing)
        workspace_id = setup["workspace_id"]
        web = procs.web()
        procs.start_clusters(config.clusters, config.workers)
        deadline = time.monotonic() + 90
        while not all(c.worker_pids() for c in procs.clusters):
            if time.monotonic() > deadline:
                raise RuntimeError("the worker clusters did not start; see their logs")
            time.sleep(0.5)
        for c in procs.clusters:
            c.observe()
        _initial_import_wait(workspace_id)
        for destination in destinations:
            destination.faults_install(config.fault_rate)
        setup_s = time.monotonic() - started_setup
        log(f"setup took {setup_s:.0f}s; load: {len(plan.steady)} steady events over {config.duration_s:.0f}s, "
            f"{len(plan.burst)} in the burst, {config.reps} reps, faults {config.fault_rate:.0%}")  # fmt: skip

        poster = Poster(api_url=f"{web}/api/v1", api_key=setup["api_key"])
        chaos = Chaos(procs.clusters, every_s=config.chaos_every_s, cluster_share=config.chaos_cluster_share,
                      seed=config.seed)  # fmt: skip
        lag = QueueLag()
        chaos.start()
        lag.start()
        revoked_rep = setup["reps"][len(setup["reps"]) // 3]
        started = time.monotonic()
        side = [_at(started, 0.5, config.duration_s, lambda: poster.burst(plan.burst), "burst")]
        if config.revoke:
            side.append(_at(started, 0.3, config.duration_s, lambda: crm.revoke(revoked_rep), "revoke"))
            side.append(_at(started, 0.6, config.duration_s, lambda: crm.reconnect(revoked_rep), "reconnect"))
        poster.steady(plan.steady, config.duration_s, config.posters)
        for thread in side:
            thread.join()
        load_end = time.monotonic()
        chaos.stop()
        log(f"load sent in {load_end - started:.0f}s: {len(poster.acked)} acknowledged, {len(poster.refused)} not; "
            f"{chaos.worker_kills} worker and {chaos.cluster_kills} cluster kills; waiting for the writes")  # fmt: skip

        drained_s = None
        while time.monotonic() - load_end < config.drain_timeout_s:
            left = _unfinished(workspace_id)
            if left == 0:
                drained_s = round(time.monotonic() - load_end, 1)
                break
            time.sleep(1.0)
        lag.stop()
        hits = {d.slug: d.faults_clear() for d in destinations}
        api_calls = crm.api_used() - crm.api_used_at_start
        remote_prospects = crm.prospects_by_email()
        activities = report.activities_figures(workspace_id=workspace_id, plan=plan, poster=poster,
                                               remote_tasks=crm.tasks_by_activity())  # fmt: skip
        enrollments = report.enrollments_figures(workspace_id=workspace_id, plan=plan, poster=poster,
                                                 remote_prospects=remote_prospects)  # fmt: skip
        for c in procs.clusters:
            c.observe()
        result = {
            "name": "soak",
            **{k: activities[k] for k in ("activities", "written", "lost", "duplicated", "failed_with_reason")},
            "api_calls": api_calls,
            "p50_event_to_crm_s_steady": activities["p50_event_to_crm_s_steady"],
            "p95_event_to_crm_s_steady": activities["p95_event_to_crm_s_steady"],
            "max_queue_lag_s": round(lag.max_s, 1),
            "drained_s": drained_s,
            "worker_kills": chaos.worker_kills,
            "cluster_restarts": chaos.cluster_restarts,
            "cluster_kills": chaos.cluster_kills,
            "duplicated_prospects": report.duplicated_prospects(plan, remote_prospects),
            "enrollments": enrollments,
            "lost_detail": activities["lost_detail"],
            "unfinished": activities["unfinished"],
            "ledger_mismatch": activities["ledger_mismatch"],
            "failure_reasons": activities["failure_reasons"],
            "not_acknowledged": len(poster.refused),
            "not_acknowledged_sample": poster.refused[:5],
            "post_retries": poster.retries,
            "post_answers_not_202": dict(poster.answers),
            "fault_hits": hits,
            "sync": report.sync_figures(workspace_id=workspace_id),
            "revoked_rep": revoked_rep if config.revoke else None,
            "config": {**vars(config)},
            "setup_s": round(setup_s, 1),
            "load_s": round(load_end - started, 1),
            "cpus": os.cpu_count(),
        }
        result["targets"] = targets(result)
        return result
    finally:
        for thread in (chaos, lag):
            if thread is not None and thread.is_alive():
                thread.stop()
        procs.stop()


def targets(result: dict) -> dict:
    """The issue's targets, each with whether this run met it."""
    p95 = result["p95_event_to_crm_s_steady"]
    enrollments = result["enrollments"]
    return {
        "lost_0": result["lost"] == 0 and enrollments["lost"] == 0,
        "duplicated_0": result["duplicated"] == 0 and result["duplicated_prospects"] == 0,
        "every_failure_with_reason": not result["lost_detail"].get("ended_without_reason"),
        "p95_event_to_crm_s_steady_max_3": p95 is not None and p95 <= 3,
        "drained_within_120_s": result["drained_s"] is not None and result["drained_s"] <= 120,
    }


def main_env() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "soak.settings", "DEBUG": "false",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), "PYTHONUNBUFFERED": "1",
            "PATH": os.environ.get("PATH", "") + os.pathsep + os.path.dirname(sys.executable)}  # fmt: skip
