"""getUpdated / getDeleted: ids changed or deleted in a window (keyed on SystemModstamp and delete time)."""

from __future__ import annotations

import datetime as dt

from sandbox.clock import parse_datetime, sf_datetime
from sandbox.errors import ApiError
from sandbox.rest.base import Ctx, Out, spec_or_404

UPDATED_WINDOW_DAYS = 30
DELETED_WINDOW_DAYS = 15
MAX_IDS = 600_000


def _window(ctx: Ctx, max_days: int) -> tuple[dt.datetime, dt.datetime]:
    start_raw, end_raw = ctx.arg("start"), ctx.arg("end")
    if not start_raw or not end_raw:
        raise ApiError(400, "MISSING_ARGUMENT", "Both start and end query parameters are required")
    start, end = parse_datetime(start_raw), parse_datetime(end_raw)
    if start is None or end is None:
        raise ApiError(400, "INVALID_DATE_FORMAT", f"Invalid date format: {start_raw if start is None else end_raw}")
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if end <= start:
        raise ApiError(
            400, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate by more than one minute"
        )
    if start < ctx.now - dt.timedelta(days=max_days):
        raise ApiError(400, "INVALID_REPLICATION_DATE", f"startDate cannot be more than {max_days} days ago")
    return start, min(end, ctx.now.replace(second=0, microsecond=0))


def updated(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    start, end = _window(ctx, UPDATED_WINDOW_DAYS)
    lo, hi = sf_datetime(start), sf_datetime(end)
    found = [
        rid
        for rid, row in ctx.org.records[spec.name].items()
        if not row.get("IsDeleted") and lo <= (row.get("SystemModstamp") or "") < hi
    ]
    if len(found) > MAX_IDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"too many ids: more than {MAX_IDS} records changed in the window")
    return Out(200, {"ids": found, "latestDateCovered": hi})


def deleted(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    start, end = _window(ctx, DELETED_WINDOW_DAYS)
    lo, hi = sf_datetime(start), sf_datetime(end)
    records = [
        {"id": rid, "deletedDate": when}
        for rid, when in ctx.org.deleted_at[spec.name].items()
        if lo <= when < hi and ctx.org.records[spec.name].get(rid, {}).get("IsDeleted")
    ]
    log_start = getattr(ctx.org, "deleted_log_start", None) or ctx.org.created_at  # orgs saved before the setting
    earliest = max(
        dt.datetime.fromtimestamp(log_start, dt.UTC), ctx.now - dt.timedelta(days=DELETED_WINDOW_DAYS)
    ).replace(second=0, microsecond=0)
    return Out(
        200, {"deletedRecords": records, "earliestDateAvailable": sf_datetime(earliest), "latestDateCovered": hi}
    )
