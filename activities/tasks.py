"""django-q2 entry points. Thin: ids in, a service call, nothing else (retries live in the ledger)."""

from __future__ import annotations

from activities.services.writeback.drain import writeback_drain_due as _drain
from activities.services.writeback.runner import writeback_batch_run as _batch_run


def writeback_batch_run(workspace_id: int, user_id: int | None) -> dict:
    return _batch_run(workspace_id=workspace_id, user_id=user_id)


def writeback_drain_due() -> int:
    return _drain()
