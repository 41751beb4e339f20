"""Reads for the sync pages: health per object, run progress, and the synced record lists with their filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from integrations.models import DescribeCache
from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync import humanize
from sync.models import ObjectSyncState, SyncedRecord, SyncObjectConfig, SyncRun, SyncSettings
from sync.soql import NUMBER_TYPES
from sync.types import ACTIVE_RUN_STATUSES, RunKind


def run_progress(*, run: SyncRun) -> dict:
    """What the progress bar shows: done / expected, rate, ETA. Rate is over the run's running time."""
    now = timezone.now()
    elapsed = ((run.finished_at or now) - run.started_at).total_seconds() if run.started_at else 0.0
    rate = run.records_done / elapsed if elapsed > 0 else 0.0
    expected = run.records_expected
    percent = min(100, int(run.records_done * 100 / expected)) if expected else (100 if run.finished_at else 0)
    eta = (expected - run.records_done) / rate if expected and rate and not run.finished_at else None
    current = run.steps.filter(status="running").values_list("sobject", flat=True).first()
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "status_label": run.get_status_display(),
        "active": run.is_active,
        "records_done": run.records_done,
        "records_expected": expected,
        "percent": percent,
        "rate": round(rate, 1),
        "eta_seconds": round(eta) if eta is not None else None,
        "current_object": current or "",
        "api_calls": run.api_calls,
        "error": f"{run.error_code}: {run.error_message}" if run.error_code else "",
    }


def run_full_active(*, workspace) -> SyncRun | None:
    return SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL, status__in=ACTIVE_RUN_STATUSES).first()


def run_full_latest(*, workspace) -> SyncRun | None:
    return SyncRun.objects.filter(workspace=workspace, kind=RunKind.FULL).first()


@dataclass
class ObjectHealth:
    config: SyncObjectConfig
    state: ObjectSyncState | None
    records: int
    deleted: int
    lag: dt.timedelta | None
    last_incremental: SyncRun | None = None
    interval: dt.timedelta = dt.timedelta(minutes=5)

    @property
    def sobject(self) -> str:
        return self.config.sobject

    @property
    def lag_words(self) -> str:
        """Within the workspace's interval (plus a tick) "up to date", else how far behind: "12 min behind"."""
        return humanize.lag_words(self.lag, self.interval)

    @property
    def behind(self) -> bool:
        return self.lag is not None and self.lag_words != "up to date"


def sync_health(*, workspace) -> list[ObjectHealth]:
    configs = list(SyncObjectConfig.objects.filter(workspace=workspace).select_related("state"))
    now = timezone.now()
    last_incremental = SyncRun.objects.filter(
        workspace=workspace, kind__in=[RunKind.INCREMENTAL, RunKind.RECONCILE]
    ).first()
    interval = dt.timedelta(
        minutes=(SyncSettings.objects.filter(workspace=workspace).first() or SyncSettings()).interval_minutes
    )
    rows = []
    for config in configs:
        state = getattr(config, "state", None)
        live = SyncedRecord.objects.filter(workspace=workspace, sobject=config.sobject)
        rows.append(
            ObjectHealth(
                config=config,
                state=state,
                records=live.filter(is_deleted=False).count(),
                deleted=live.filter(is_deleted=True).count(),
                lag=now - state.covered_until if state and state.covered_until else None,
                last_incremental=last_incremental,
                interval=interval,
            )
        )
    return rows


# -- record lists -------------------------------------------------------------------------------------------------

DATE_TYPES = frozenset({"date", "datetime"})
PAGE_SIZE = 50


@dataclass
class FilterField:
    """One filterable mapped field and how the list filters it."""

    name: str
    label: str
    kind: str  # choice | range_date | range_number | boolean | text
    choices: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def value(self) -> str:
        return self.values.get(self.name, "")

    @property
    def low(self) -> str:
        return self.values.get(self.name + "__from", "")

    @property
    def high(self) -> str:
        return self.values.get(self.name + "__to", "")


def filter_fields(*, workspace, sobject: str, params=None) -> list[FilterField]:
    mappings = SyncFieldMapping.objects.filter(
        workspace=workspace, sobject=sobject, filterable=True, status=SyncStatus.ACTIVE
    ).order_by("display_name")
    picklists = _picklist_values(workspace=workspace, sobject=sobject)
    params = params or {}
    fields = []
    for mapping in mappings:
        kind = filter_kind(mapping.field_type)
        choices = picklists.get(mapping.field_name, []) if kind == "choice" else []
        if kind == "choice" and not choices:
            kind = "text"  # no cached describe: still filterable, as text
        keys = [mapping.field_name + suffix for suffix in ("", "__from", "__to")]
        values = {k: params.get(f"f_{k}", "") for k in keys}
        fields.append(FilterField(mapping.field_name, mapping.display_name, kind, choices, values))
    return fields


def filter_kind(field_type: str) -> str:
    if field_type in ("picklist", "multipicklist", "combobox"):
        return "choice"
    if field_type in DATE_TYPES:
        return "range_date"
    if field_type in NUMBER_TYPES:
        return "range_number"
    if field_type == "boolean":
        return "boolean"
    return "text"


def _picklist_values(*, workspace, sobject: str) -> dict[str, list[str]]:
    """Active picklist values from the cached describe (no API call on a page view)."""
    from integrations.selectors import connection_get_admin

    connection = connection_get_admin(workspace=workspace)
    if connection is None:
        return {}
    cached = DescribeCache.objects.filter(connection=connection, sobject=sobject).first()
    if cached is None:
        return {}
    return {
        f["name"]: [p["value"] for p in f.get("picklistValues") or [] if p.get("active", True)]
        for f in cached.payload.get("fields", [])
        if f.get("picklistValues")
    }


def record_list(*, workspace, sobject: str, fields: list[FilterField], search: str = "") -> QuerySet[SyncedRecord]:
    """Live records of one object, filtered type-aware on `data` (JSON lookups work on SQLite and PostgreSQL).
    On PostgreSQL equality is written as containment (`data @> {...}`), which the GIN index on `data` serves;
    ranges and text use the per-field expression indexes of sync/indexes.py."""
    qs = SyncedRecord.objects.filter(workspace=workspace, sobject=sobject, is_deleted=False)
    containment = connections[router.db_for_read(SyncedRecord)].vendor == "postgresql"
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(email__icontains=search))
    for i, f in enumerate(fields):
        # Custom fields end in `__c`, which Django would read as a lookup path: annotate the key transform instead.
        key = f"_filter{i}"
        qs = qs.alias(**{key: KeyTransform(f.name, "data")})
        value, low, high = f.values[f.name], f.values[f.name + "__from"], f.values[f.name + "__to"]
        if (f.kind == "choice" and value) or (f.kind == "boolean" and value in ("true", "false")):
            wanted = value if f.kind == "choice" else value == "true"
            qs = qs.filter(data__contains={f.name: wanted}) if containment else qs.filter(**{key: wanted})
        elif f.kind == "text" and value:
            qs = qs.filter(**{f"{key}__icontains": value})
        elif f.kind in ("range_number", "range_date"):
            if f.kind == "range_number":
                bounds = [(op, _number(b)) for b, op in ((low, "gte"), (high, "lte")) if _number(b) is not None]
            else:
                # Stored as ISO text (dates `YYYY-MM-DD`, datetimes `...Z`): text order is time order; the `to`
                # bound takes the whole day, datetimes included.
                bounds = [(op, b) for b, op in ((low, "gte"), (high + "\uffff", "lte")) if _is_date(b[:10])]
            if bounds:
                # A bound excludes records without a value: JSON null would otherwise compare as text on SQLite
                # ('null' sorts above every number) and below every value on PostgreSQL (kept by a `to` bound).
                qs = qs.filter(**{f"{key}__isnull": False}).exclude(**{key: None})
            for op, bound in bounds:
                qs = qs.filter(**{f"{key}__{op}": bound})
    return qs.order_by("name", "id")


def _number(text: str) -> float | None:
    try:
        return float(text) if text not in ("", None) else None
    except ValueError:
        return None


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text or "")
    except ValueError:
        return False
    return True
