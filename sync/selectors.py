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
from sync.models import ObjectSyncState, SyncedRecord, SyncObjectConfig, SyncRun, SyncRunStep, SyncSettings
from sync.soql import NUMBER_TYPES
from sync.types import ACTIVE_RUN_STATUSES, DEFAULT_OBJECTS, RunKind, RunStatus, StepStatus


def run_progress(*, run: SyncRun) -> dict:
    """What the progress box shows, all from one read of the run and its steps so the numbers agree: the status,
    done / expected (each object is counted before the first is read), per-object steps, rate and ETA.

    100% means finished: while an object is still to be read the percentage stops at 99, and a run that stopped
    early (cancelled, failed) keeps the share it reached."""
    now = timezone.now()
    steps = list(run.steps.all())
    elapsed = ((run.finished_at or now) - run.started_at).total_seconds() if run.started_at else 0.0
    done = run.records_done
    rate = done / elapsed if elapsed > 0 else 0.0
    open_steps = [s for s in steps if s.status not in (StepStatus.DONE, StepStatus.FAILED)]
    # An object not counted yet (or that could not be counted) makes the total unknown, not smaller.
    counted = all(s.records_expected is not None for s in open_steps)
    expected = sum(s.records_expected or 0 for s in steps) if steps else run.records_expected
    if run.status == RunStatus.SUCCEEDED:
        percent = 100
    elif counted and expected:
        percent = min(99 if open_steps or run.is_active else 100, done * 100 // expected)
    else:
        percent = 0
    left = max(0, expected - done) if counted and expected is not None else None
    eta = left / rate if left is not None and rate and run.is_active and run.status == RunStatus.RUNNING else None
    current = next((s for s in steps if s.status == StepStatus.RUNNING), None)
    return {
        "id": run.pk,
        "kind": run.kind,
        "title": f"{run.get_kind_display()} #{run.pk}",
        "status": run.status,
        "status_label": run.get_status_display(),
        "active": run.is_active,
        "records_done": done,
        "records_expected": expected if counted else None,
        "percent": percent,
        "rate": round(rate, 1),
        "eta_seconds": round(eta) if eta is not None else None,
        "current_object": current.sobject if current else "",
        "api_calls": run.api_calls,
        "deletes": run.deletes,
        "started": timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S") if run.started_at else "",
        "waiting": _run_waiting(run, now),
        "steps": [_step_progress(s) for s in steps],
        "error": f"{run.error_code}: {run.error_message}" if run.error_code else "",
    }


def _step_progress(step: SyncRunStep) -> dict:
    expected = step.records_expected
    if step.status == StepStatus.DONE:
        percent = 100
    elif expected:
        percent = min(99, step.records_done * 100 // expected)
    else:
        percent = 0
    return {
        "sobject": step.sobject,
        "status": step.status,
        "status_label": step.get_status_display(),
        "records_done": step.records_done,
        "records_expected": expected,
        "percent": percent,
        "fields": step.fields,
        "error": f"{step.error_code}: {step.error_message}" if step.status == StepStatus.FAILED else "",
    }


def _run_waiting(run: SyncRun, now: dt.datetime) -> str:
    """Why a run that is not moving is not moving, and until when."""
    if run.status == RunStatus.QUEUED and run.resume_after:
        return f"Retrying at {timezone.localtime(run.resume_after):%H:%M:%S} ({run.error_message or 'Salesforce busy'})"
    if run.status == RunStatus.QUEUED:
        return "Waiting for a worker: it starts within seconds while the worker runs."
    if run.status == RunStatus.PAUSED_BUDGET and run.resume_after:
        return f"Resumes at {timezone.localtime(run.resume_after):%H:%M:%S}, when the API budget allows."
    return ""


TICK_OVERDUE = dt.timedelta(minutes=2)
"""A sync tick this late means no worker runs the schedule (a stopped worker), which the page should say."""


def initial_import_status(*, workspace, connection) -> dict | None:
    """After connecting, the objects never imported and when their import starts: the minute tick starts it, so
    until then it is queued, not "waiting for Salesforce". None when nothing waits for a first import."""
    if connection is None or not connection.is_usable:
        return None
    configs = SyncObjectConfig.objects.filter(workspace=workspace).select_related("state")
    if configs.exists():
        waiting = [c.sobject for c in configs if c.enabled and (_state(c) is None or c.state.imported_at is None)]
    else:
        waiting = list(DEFAULT_OBJECTS)  # the configs are made on the sync page's first visit or the first tick
    if not waiting:
        return None
    names = ", ".join(waiting)
    run = run_full_active(workspace=workspace)
    if run is not None and run.steps.filter(sobject__in=waiting).exists():
        if run.status == RunStatus.RUNNING:
            message = f"Initial import of {names} is running (run #{run.pk})."
            return {"state": "running", "run": run, "message": message}
        message = f"Initial import of {names} is queued (run #{run.pk}). {_run_waiting(run, timezone.now())}"
        return {"state": "queued", "run": run, "message": message}
    if not (SyncSettings.objects.filter(workspace=workspace).first() or SyncSettings()).enabled:
        message = f"Sync is turned off for this workspace: {names} will not be imported."
        return {"state": "off", "run": None, "message": message}
    next_tick = _next_tick()
    now = timezone.now()
    if next_tick is None or next_tick < now - TICK_OVERDUE:
        when = "with the next sync tick, once a worker runs (no worker has run the sync schedule lately)"
    else:
        when = f"at the next sync tick, about {timezone.localtime(max(next_tick, now)):%H:%M:%S} (within a minute)"
    return {"state": "queued", "run": None, "message": f"Initial import of {names} is queued: it starts {when}."}


def _state(config: SyncObjectConfig) -> ObjectSyncState | None:
    return getattr(config, "state", None)


def _next_tick() -> dt.datetime | None:
    from django_q.models import Schedule

    from sync.schedules import TICK_NAME

    return Schedule.objects.filter(name=TICK_NAME).values_list("next_run", flat=True).first()


def run_active(*, workspace, kind: str) -> SyncRun | None:
    return SyncRun.objects.filter(workspace=workspace, kind=kind, status__in=ACTIVE_RUN_STATUSES).first()


def run_latest(*, workspace, kind: str) -> SyncRun | None:
    return SyncRun.objects.filter(workspace=workspace, kind=kind).first()


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
    last_step: SyncRunStep | None = None
    """The object's most recent finished step of any run: the "Last run" column names it and shows its counts."""
    window_step: SyncRunStep | None = None
    """The object's step in the latest incremental or reconcile run (finished or not)."""
    window_since_import: bool = False
    """Whether an incremental window has read this object successfully since its last full import."""
    interval: dt.timedelta = dt.timedelta(minutes=5)

    @property
    def sobject(self) -> str:
        return self.config.sobject

    @property
    def lag_words(self) -> str:
        """ "up to date" only when the latest window read this object to its end and within the workspace's interval
        (plus a tick); otherwise what stops it: a failed window, a budget pause, no window since the import yet, or
        how far behind it is."""
        window = self.window_step
        if self.lag is not None and window is not None:
            if window.status == StepStatus.FAILED:
                return "last update failed"
            if window.run.status == RunStatus.PAUSED_BUDGET and window.status != StepStatus.DONE:
                return "paused (API budget)"
        words = humanize.lag_words(self.lag, self.interval)
        if words == "up to date" and not self.window_since_import:
            return "imported, not updated yet"
        return words

    @property
    def behind(self) -> bool:
        return self.lag is not None and self.lag_words not in ("up to date", "imported, not updated yet")


def sync_health(*, workspace) -> list[ObjectHealth]:
    configs = list(SyncObjectConfig.objects.filter(workspace=workspace).select_related("state"))
    now = timezone.now()
    last_window = SyncRun.objects.filter(workspace=workspace, kind__in=[RunKind.INCREMENTAL, RunKind.RECONCILE]).first()
    window_steps = {s.sobject: s for s in last_window.steps.all()} if last_window else {}
    interval = dt.timedelta(
        minutes=(SyncSettings.objects.filter(workspace=workspace).first() or SyncSettings()).interval_minutes
    )
    finished = (
        SyncRunStep.objects.filter(run__workspace=workspace, finished_at__isnull=False)
        .exclude(error_code__in=IDLE_STEP_CODES)
        .select_related("run")
        .order_by("-finished_at", "-pk")
    )
    rows = []
    for config in configs:
        state = getattr(config, "state", None)
        live = SyncedRecord.objects.filter(workspace=workspace, sobject=config.sobject)
        window = window_steps.get(config.sobject)
        if window is not None:
            window.run = last_window
        mine = finished.filter(sobject=config.sobject, status=StepStatus.DONE)
        imported = mine.filter(run__kind=RunKind.FULL).values_list("finished_at", flat=True).first()
        windows = mine.filter(run__kind__in=[RunKind.INCREMENTAL, RunKind.RECONCILE])
        since_import = windows.filter(run__started_at__gte=imported).exists() if imported else windows.exists()
        rows.append(
            ObjectHealth(
                config=config,
                state=state,
                records=live.filter(is_deleted=False).count(),
                deleted=live.filter(is_deleted=True).count(),
                lag=now - state.covered_until if state and state.covered_until else None,
                last_step=finished.filter(sobject=config.sobject).first(),
                window_step=window,
                window_since_import=since_import,
                interval=interval,
            )
        )
    return rows


IDLE_STEP_CODES = ("NOT_IMPORTED",)
"""Steps that finished without touching the object (an incremental before the first import): not a "last run"."""


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


STANDARD_COLUMNS = {
    "Account": (("Type", "Type"),),
    "Lead": (("Status", "Status"),),
    "Opportunity": (("StageName", "Stage"), ("Type", "Type")),
    "Case": (("Subject", "Subject"), ("Status", "Status"), ("Type", "Type")),
}
"""Identity fields every sync reads (sync.types.IDENTITY_FIELDS) that a list of that object shows before the mapped
ones: Opportunities and Cases have no data sync mappings, and their stage or status is what a person looks for."""

COUNT_CAP = 100_000
"""Lists count their matching records up to here, then say "more than 100,000": counting a filtered million-row list
exactly would cost a full scan on every page view."""


@dataclass
class Column:
    name: str
    label: str


def record_columns(*, workspace, sobject: str) -> list[Column]:
    """The list's columns: the standard identity fields of the object, then every active data sync mapping."""
    columns = [Column(name, label) for name, label in STANDARD_COLUMNS.get(sobject, ())]
    mapped = SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject, status=SyncStatus.ACTIVE)
    mapped = mapped.exclude(field_name__in=[c.name for c in columns]).order_by("display_name")
    columns += [Column(m.field_name, m.display_name) for m in mapped]
    return columns


def record_count(rows: QuerySet[SyncedRecord]) -> tuple[int, bool]:
    """(count, capped): the number of rows, counted at most up to COUNT_CAP + 1."""
    found = rows.order_by()[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP


def record_list_empty_reason(*, workspace, sobject: str, title: str, filtered: bool) -> dict:
    """Why a list has no rows, in the words a person needs to act on it (and where to go)."""
    from integrations.selectors import connection_get_admin

    plural = title if sobject not in ("Contact", "Lead") else f"{sobject}s"
    connection = connection_get_admin(workspace=workspace)
    config = SyncObjectConfig.objects.filter(workspace=workspace, sobject=sobject).select_related("state").first()
    state = _state(config) if config else None
    if connection is None:
        return {"code": "not_connected", "message": f"Salesforce is not connected, so no {plural} are synced yet."}
    if config is not None and not config.enabled:
        return {"code": "out_of_scope", "message": f"{plural} are not in the sync scope: syncing {sobject} is off."}
    if state is None or state.imported_at is None:
        message = f"{plural} have not been imported yet: the Sync page shows the initial import's progress."
        return {"code": "not_imported", "message": message}
    if filtered:
        return {"code": "no_match", "message": f"No synced {plural} match this search or these filters."}
    if config is not None and config.filters.exists():
        return {"code": "scope_empty", "message": f"No {plural} in Salesforce match the sync scope's filters."}
    return {"code": "org_empty", "message": f"The connected org has no {plural}: the last import found none."}


def salesforce_record_base(*, workspace) -> str:
    """Where the records live: links are this + "/<id>", which Salesforce opens in Lightning or Classic."""
    from integrations.selectors import connection_get_admin

    connection = connection_get_admin(workspace=workspace)
    return connection.instance_url.rstrip("/") if connection and connection.instance_url else ""


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
