"""Tuning knobs of the writeback engine; each can be overridden in Django settings as `WRITEBACK_<NAME>`."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "MAX_ATTEMPTS": 5,
    "BACKOFF_BASE_S": 30.0,
    "BACKOFF_CAP_S": 3600.0,
    "LEASE_S": 300.0,
    "BATCH_LIMIT": 1000,
    "BUDGET_WAIT_S": 900.0,
    "DEFER_S": 5.0,
    "LOOKUP_CHUNK": 100,
}
"""MAX_ATTEMPTS: tries before a job fails. BACKOFF_*: retry delay min(cap, base·2^(n-1)) × jitter.
LEASE_S: how long a claim holds (more than the django-q2 timeout, so a live worker never loses its jobs).
BATCH_LIMIT: jobs one run claims. BUDGET_WAIT_S: pause when the org is over our API ceiling.
DEFER_S: delay for a job that waits on another job. LOOKUP_CHUNK: prospects per lookup call."""


def get(name: str):
    return getattr(settings, f"WRITEBACK_{name}", DEFAULTS[name])
