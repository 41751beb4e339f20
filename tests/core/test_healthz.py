from __future__ import annotations

import queue
import time
from datetime import timedelta
from multiprocessing import Value

import pytest
from django.utils import timezone

from core.models import WorkerHeartbeat


def beat(seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(cluster="switchboard", beat_at=timezone.now() - timedelta(seconds=seconds_ago))


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    expected = "redis_broker" if settings.REDIS_URL else "orm"
    assert body["broker"]["kind"] == expected


@pytest.mark.django_db
def test_healthz_says_degraded_when_broker_is_down(client, monkeypatch):
    class UnreachableBroker:
        def ping(self):
            raise ConnectionError("Connection refused")

    monkeypatch.setattr("core.views.get_broker", lambda: UnreachableBroker())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["status"] == "down"


@pytest.mark.django_db
def test_healthz_is_ok_while_workers_beat(client):
    beat(seconds_ago=20)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"] == {"status": "ok", "heartbeat_age_seconds": 20}


@pytest.mark.django_db
def test_healthz_answers_503_once_the_heartbeat_is_stale(client):
    beat(seconds_ago=91)  # default WORKER_HEARTBEAT_STALE_SECONDS is 90
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["workers"] == {"status": "stale", "heartbeat_age_seconds": 91}
    assert body["broker"]["status"] == "ok"  # the broker answers; it is the workers that stopped


@pytest.mark.django_db
def test_the_stale_threshold_is_a_setting(client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 300
    beat(seconds_ago=200)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"]["status"] == "ok"


@pytest.mark.django_db
def test_no_heartbeat_yet_is_unknown_and_tolerated_only_while_the_process_is_young(client, settings, monkeypatch):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr("core.selectors._PROCESS_STARTED", time.monotonic())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["workers"] == {"status": "unknown", "heartbeat_age_seconds": None}

    monkeypatch.setattr("core.selectors._PROCESS_STARTED", time.monotonic() - 91)
    response = client.get("/healthz")
    assert response.status_code == 503  # started 91 s ago and no worker has ever taken a task
    assert response.json()["workers"]["status"] == "unknown"


@pytest.mark.django_db
def test_in_sync_mode_no_heartbeat_is_not_a_failure(client, monkeypatch):
    monkeypatch.setattr("core.selectors._PROCESS_STARTED", time.monotonic() - 3600)
    response = client.get("/healthz")  # test settings run tasks inline: there is no worker to wait for
    assert response.status_code == 200
    assert response.json()["workers"]["status"] == "unknown"


@pytest.mark.django_db
def test_the_scheduled_heartbeat_task_records_a_beat(client):
    from django_q.tasks import async_task

    async_task("core.tasks.worker_heartbeat")  # inline under the test settings
    response = client.get("/healthz")
    assert response.json()["workers"]["status"] == "ok"


@pytest.mark.django_db
def test_every_task_a_worker_starts_counts_as_a_heartbeat(monkeypatch):
    """Busy workers keep the heartbeat fresh even when the heartbeat task waits behind a backlog."""
    from django_q.worker import worker

    monkeypatch.setattr("core.services._last_task_start_beat", 0.0)
    tasks, results = queue.Queue(), queue.Queue()
    tasks.put({"id": "t1", "name": "t1", "func": "math.floor", "args": (1.5,), "kwargs": {}, "started": timezone.now()})
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))  # the real django-q2 worker loop, as a cluster process runs it

    assert results.get_nowait()["result"] == 1
    heartbeat = WorkerHeartbeat.objects.get(cluster="switchboard")
    assert (timezone.now() - heartbeat.beat_at).total_seconds() < 5


@pytest.mark.django_db
def test_heartbeat_schedules_are_two_rows_half_a_minute_apart_and_survive_another_migrate():
    from django_q.models import Schedule

    from core.schedules import HEARTBEAT_NAMES, schedules_ensure

    rows = list(Schedule.objects.filter(name__in=HEARTBEAT_NAMES).order_by("next_run"))
    assert [r.func for r in rows] == ["core.tasks.worker_heartbeat"] * 2
    assert (rows[1].next_run - rows[0].next_run).total_seconds() == pytest.approx(30, abs=1)

    schedules_ensure()  # what the next `migrate` does
    again = list(Schedule.objects.filter(name__in=HEARTBEAT_NAMES).order_by("next_run"))
    assert [r.next_run for r in again] == [r.next_run for r in rows]
