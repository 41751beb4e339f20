"""Health check and the app-styled error pages."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker

from core.selectors import WorkerHealth, worker_health

logger = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the reason goes to the log
        logger.warning("healthz.database_down", extra={"error": str(exc)})
        return "down"
    return "ok"


def _broker_status() -> tuple[str, str]:
    broker = get_broker()
    try:
        alive = broker.ping()
    except Exception as exc:  # redis.ConnectionError and friends
        logger.warning("healthz.broker_down", extra={"error": str(exc)})
        alive = False
    name = type(broker).__module__.rsplit(".", 1)[-1]
    return ("ok" if alive else "down"), name


def _worker_health(database: str) -> WorkerHealth:
    if database != "ok":
        return WorkerHealth("unknown", None, healthy=False)  # the heartbeat lives in the database
    try:
        return worker_health()
    except Exception as exc:  # e.g. `migrate` not run yet for the heartbeat table
        logger.warning("healthz.heartbeat_unreadable", extra={"error": str(exc)})
        return WorkerHealth("unknown", None, healthy=False)


@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    broker, broker_kind = _broker_status()
    # "workers" says whether tasks are really being executed: a live broker with a stuck cluster is still down.
    workers = _worker_health(database)
    healthy = database == "ok" and broker == "ok" and workers.healthy
    body = {
        "status": "ok" if healthy else "degraded",
        "database": {"status": database, "vendor": connection.vendor},
        "broker": {"status": broker, "kind": broker_kind},
        "workers": {"status": workers.status, "heartbeat_age_seconds": workers.heartbeat_age_seconds},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else None
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
