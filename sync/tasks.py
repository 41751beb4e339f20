"""django-q2 entry points: ids in, services do the work."""

from __future__ import annotations

from sync.indexes import filter_indexes_update
from sync.services.runs import run_execute
from sync.services.scheduler import sync_tick as sync_tick_service


def sync_run_execute(run_id: int) -> None:
    run_execute(run_id=run_id)


def sync_tick() -> None:
    sync_tick_service()


def sync_filter_indexes(workspace_id: int, sobjects: list[str]) -> None:
    filter_indexes_update(workspace_id=workspace_id, sobjects=sobjects)
