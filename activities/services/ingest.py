"""Events in: validate, store the batch and its writeback jobs in one transaction, enqueue on commit.

A batch costs the same few queries whatever its size (issue 17; one event at a time cost a handful each, about 200
events/s, and a nightly import waited minutes before its first write):

1. load: the prospects the batch names, by email (one query) and by LinkedIn URL (one); the activities it names by
   the sender's id (one); and of the prospects found, what the rules below need of their past: unfinished
   find-or-create jobs, the latest enrollment, the latest activity's rep, which open activities have a Task job.
2. decide in memory, event after event, exactly what storing them one at a time decided: each event sees the
   prospects, activities and jobs of the events before it (bench/ingest_per_event.py is that path, and
   tests/activities/test_ingest.py checks both store the same).
3. write: one multi-row INSERT per table (prospects, activities, enrollments, opt-outs, jobs; bulk_create without
   its per-value cost, see bulk.rows_insert) and one UPDATE each for changed prospects, completed activities and
   find-or-create jobs handed to another rep. The jobs go in event
   order in one statement, so their ids still give each prospect's event order (WritebackJob.sequence).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityState,
    Enrollment,
    JobAction,
    JobStatus,
    OptOut,
    Prospect,
    WritebackJob,
)
from activities.models.events import EnrollmentEvent
from activities.models.ledger import UNFINISHED_STATUSES
from activities.services.bulk import rows_insert, whole_statements
from activities.services.validation import MAX_BATCH, Cleaned, FieldError, event_clean
from activities.services.writeback.enqueue import writeback_enqueue_on_commit
from mappings.selectors import crm_settings_get
from mappings.types import LogMode
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

PROSPECT_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "linkedin_url",
    "phone",
    "title",
    "company_name",
    "company_domain",
    "company_linkedin_url",
    "company_industry",
    "company_size",
)


class EventsInvalid(Exception):
    def __init__(self, items: list[dict], *, code: str = "invalid_events", message: str = ""):
        super().__init__(message or "Some events are invalid; nothing was stored.")
        self.items = items
        self.code = code
        self.message = str(self)


@dataclass
class IngestResult:
    results: list[dict] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)


def events_validate(*, workspace: Workspace, events: Any) -> list[Cleaned]:
    """Every event cleaned, or EventsInvalid listing each bad item (index, code, field, message)."""
    if not isinstance(events, list) or not events:
        raise EventsInvalid([], code="invalid_batch", message="Send a non-empty list of events.")
    if len(events) > MAX_BATCH:
        raise EventsInvalid([], code="batch_too_large", message=f"At most {MAX_BATCH} events per batch.")
    cleaned = [event_clean(event) for event in events]
    emails = {c.data.get("user") for c in cleaned if c.data.get("user")}
    members = _members_by_email(workspace, emails)
    for item in cleaned:
        email = item.data.get("user")
        if email and email not in members:
            item.errors.append(FieldError("user", "unknown_user", f"{email} is not a member of this workspace."))
    items = [e.as_dict(index) for index, item in enumerate(cleaned) for e in item.errors]
    if items:
        raise EventsInvalid(items)
    for item in cleaned:
        if item.data.get("user"):
            item.data["user"] = members[item.data["user"]]
    return cleaned


def _members_by_email(workspace: Workspace, emails: set[str]) -> dict[str, Any]:
    users = get_user_model().objects.filter(memberships__workspace=workspace, email__in=emails)
    return {u.email.lower(): u for u in users}


ACTIVITY_FIELDS = (
    "kind",
    "subject",
    "body_excerpt",
    "started_at",
    "completed_at",
    "recording_url",
    "number_dialed",
    "disposition",
    "duration_seconds",
    "notes",
)
UNTRIED = (JobStatus.PENDING, JobStatus.WAITING_RECONNECT)


def events_ingest(*, workspace: Workspace, events: Any) -> IngestResult:
    """Store a batch (all or nothing) and the writeback jobs it calls for; the worker is woken on commit."""
    cleaned = events_validate(workspace=workspace, events=events)
    settings_row = crm_settings_get(workspace=workspace)
    with transaction.atomic(), whole_statements():
        batch = _Batch(workspace, log_all=settings_row.log_mode == LogMode.ALL)
        batch.load(cleaned)
        for position, item in enumerate(cleaned):
            batch.HANDLERS[item.type](batch, position, item.data)
        batch.write()
        result = IngestResult(results=batch.answers(), job_ids=batch.job_ids())
        if result.job_ids:
            writeback_enqueue_on_commit(job_ids=result.job_ids, groups=batch.groups())
    logger.info("activities.ingested", extra={"workspace_id": workspace.pk, "events": len(cleaned)})
    return result


@dataclass(eq=False)
class _ProspectState:
    """One prospect of the batch, found or new, with what the rules need of its past and of the batch so far."""

    obj: Prospect
    new: bool
    rank: tuple  # of several prospects with one LinkedIn URL the newest is taken (Prospect orders by -created_at)
    changed: set[str] = field(default_factory=set)
    sync_jobs: list = field(default_factory=list)  # its unfinished find-or-create jobs, stored and new
    enrolled: tuple | None = None  # (occurred_at, 0 stored or 1 in this batch, id or position) of the latest
    enroller_id: int | None = None
    last_rep_id: int | None = None  # rep of its latest activity received


class _Row:
    """A row this batch inserts: column values by attname, references to rows not written yet, and its id once
    written. Attribute access matches a model instance's for what the rules read (state, user_id, status...)."""

    def __init__(self, **values):
        self.pk = None
        self.__dict__.update(values)


def _pk(ref) -> int | None:
    """The id of what a row points at: an id, a stored instance, a prospect of the batch or a row, once written."""
    if ref is None or isinstance(ref, int):
        return ref
    if isinstance(ref, _ProspectState):
        return ref.obj.pk
    return ref.pk


class _Batch:
    def __init__(self, workspace: Workspace, *, log_all: bool):
        self.workspace = workspace
        self.log_all = log_all
        self.now = timezone.now()
        self.by_email: dict[str, _ProspectState] = {}
        self.by_linkedin: dict[str, list[_ProspectState]] = defaultdict(list)
        self.found: dict[int, _ProspectState] = {}
        self.new_prospects: list[_ProspectState] = []
        self.activities: dict[str, Activity | _Row] = {}  # by the sender's id, stored or new
        self.new_activities: list[_Row] = []
        self.completed: dict[int, Activity] = {}  # stored open activities this batch completes
        self.enrollments: list[_Row] = []
        self.optouts: list[_Row] = []
        self.jobs: list[_Row] = []
        self.moved: dict[int, int] = {}  # stored find-or-create job id -> the rep it is handed to
        self.answers_due: list[tuple] = []

    # -- 1. load ---------------------------------------------------------------------------------------------------
    def load(self, cleaned: list[Cleaned]) -> None:
        identities = [item.data["prospect"] for item in cleaned]
        emails = {p["email"] for p in identities if p["email"]}
        urls = {p["linkedin_url"] for p in identities if p["linkedin_url"]}
        prospects = Prospect.objects.filter(workspace=self.workspace)
        found = list(prospects.filter(email__in=emails)) if emails else []
        found += list(prospects.filter(linkedin_url__in=urls)) if urls else []
        for prospect in found:
            if prospect.pk not in self.found:
                self._index(_ProspectState(prospect, new=False, rank=(0, prospect.created_at, prospect.pk)))
        ext_ids = [item.data["external_id"] for item in cleaned if item.type == "activity"]
        if ext_ids:
            stored = Activity.objects.filter(workspace=self.workspace, external_id__in=ext_ids)
            self.activities = {a.external_id: a for a in stored}
        open_ids = [a.pk for a in self.activities.values() if a.state != ActivityState.COMPLETED]
        with_task = set()
        if open_ids:
            with_task = set(
                WritebackJob.objects.filter(activity_id__in=open_ids, action=JobAction.TASK_CREATE)
                .exclude(status=JobStatus.CANCELLED)
                .values_list("activity_id", flat=True)
            )
        for activity in self.activities.values():
            activity.has_task_job = activity.pk in with_task
        if self.found:
            self._load_history(opt_outs=any(item.type == "opt_out" for item in cleaned))

    def _index(self, state: _ProspectState) -> None:
        if state.obj.pk:
            self.found[state.obj.pk] = state
        if state.obj.email:
            self.by_email[state.obj.email] = state
        if state.obj.linkedin_url:
            self.by_linkedin[state.obj.linkedin_url].append(state)

    def _load_history(self, *, opt_outs: bool) -> None:
        ids = list(self.found)
        unsynced = [pk for pk, state in self.found.items() if not state.obj.salesforce_id]
        if unsynced:
            queued = WritebackJob.objects.filter(
                prospect_id__in=unsynced, action=JobAction.PROSPECT_SYNC, status__in=UNFINISHED_STATUSES
            ).only("id", "prospect_id", "status", "attempts", "user_id")
            for job in queued.order_by("id"):
                self.found[job.prospect_id].sync_jobs.append(job)
        latest = (
            Enrollment.objects.filter(prospect_id__in=ids, event=EnrollmentEvent.ENROLLED)
            .annotate(rank=_latest_first("occurred_at"))
            .filter(rank=1)
            .values_list("prospect_id", "occurred_at", "id", "user_id")
        )
        for prospect_id, occurred_at, enrollment_id, user_id in latest:
            state = self.found[prospect_id]
            state.enrolled, state.enroller_id = (occurred_at, 0, enrollment_id), user_id
        if opt_outs:  # only an opt-out asks who last worked the prospect
            last = (
                Activity.objects.filter(prospect_id__in=ids)
                .annotate(rank=_latest_first("received_at"))
                .filter(rank=1)
                .values_list("prospect_id", "user_id")
            )
            for prospect_id, user_id in last:
                self.found[prospect_id].last_rep_id = user_id

    # -- 2. decide, event by event ---------------------------------------------------------------------------------
    def _prospect(self, data: dict) -> _ProspectState:
        state = self.by_email.get(data["email"]) if data["email"] else None
        if state is None and data["linkedin_url"]:
            same_url = self.by_linkedin.get(data["linkedin_url"])
            state = max(same_url, key=lambda s: s.rank) if same_url else None
            if state and state.obj.email and data["email"] and state.obj.email != data["email"]:
                state = None  # same profile URL, different person record: keep them apart
        if state is None:
            prospect = Prospect(workspace=self.workspace, **{k: data[k] for k in PROSPECT_FIELDS})
            state = _ProspectState(prospect, new=True, rank=(1, len(self.new_prospects)))
            self.new_prospects.append(state)
            self._index(state)
            return state
        for name in PROSPECT_FIELDS:
            value = data[name]
            if not value or getattr(state.obj, name) == value:
                continue
            if name == "linkedin_url" and state.obj.linkedin_url:
                self.by_linkedin[state.obj.linkedin_url].remove(state)
            setattr(state.obj, name, value)
            if name == "linkedin_url":
                self.by_linkedin[value].append(state)
            elif name == "email":
                self.by_email[value] = state
            if not state.new:
                state.changed.add(name)
        return state

    def _job(self, action: str, prospect, user_id: int | None, **target) -> _Row:
        job = _Row(action=action, prospect=prospect, user_id=user_id, status=JobStatus.PENDING, attempts=0, **target)
        self.jobs.append(job)
        return job

    def _sync_ensure(self, state: _ProspectState, user_id: int) -> None:
        """Queue a find-or-create unless the prospect is known or already queued. It runs as the sequencing rep (the
        latest to enroll the prospect), so Created By is theirs; `user_id` only when nobody enrolled them."""
        if state.obj.salesforce_id:
            return
        if state.enrolled is not None:
            user_id = state.enroller_id
        if not state.sync_jobs:
            state.sync_jobs.append(self._job(JobAction.PROSPECT_SYNC, state, user_id))
            return
        # Another rep's event queued it before the enrollment came in. Never tried, so nothing was written as them:
        # hand it to the sequencing rep (a running or retried job is left alone).
        for job in state.sync_jobs:
            if job.status in UNTRIED and job.attempts == 0 and job.user_id != user_id:
                job.user_id, job.status = user_id, JobStatus.PENDING
                if job.pk:
                    self.moved[job.pk] = user_id

    def _task_job(self, activity, action: str) -> None:
        self._job(action, activity.prospect_id if activity.pk else activity.prospect, activity.user_id,
                  activity=activity)  # fmt: skip
        if action == JobAction.TASK_CREATE:
            activity.has_task_job = True

    def _on_prospect(self, position: int, data: dict) -> None:
        state = self._prospect(data["prospect"])
        if data.get("user"):
            self._sync_ensure(state, data["user"].pk)
        self.answers_due.append(("prospect", state, None, False))

    def _on_enrollment(self, position: int, data: dict) -> None:
        state = self._prospect(data["prospect"])
        user_id = data["user"].pk
        enrollment = _Row(prospect=state, user_id=user_id, event=data["event"], occurred_at=data["occurred_at"],
                          sequence_name=data["sequence_name"], step_name=data["step_name"],
                          status=data["status"])  # fmt: skip
        self.enrollments.append(enrollment)
        if data["event"] == EnrollmentEvent.ENROLLED:
            key = (data["occurred_at"], 1, position)  # stored ones tie-break below: their ids are smaller
            if state.enrolled is None or key > state.enrolled:
                state.enrolled, state.enroller_id = key, user_id
        self._sync_ensure(state, user_id)
        self._job(JobAction.SEQUENCE_UPDATE, state, user_id, enrollment=enrollment)
        self.answers_due.append(("enrollment", enrollment, state, False))

    def _on_activity(self, position: int, data: dict) -> None:
        activity = self.activities.get(data["external_id"])
        completed = data["state"] == ActivityState.COMPLETED
        if activity is not None and (activity.state == ActivityState.COMPLETED or not completed):
            # A repeat of an id we have: refused before anything is written, so it leaves no prospect behind either.
            self.answers_due.append(("activity", activity, activity.prospect_id if activity.pk else activity.prospect,
                                     True))  # fmt: skip
            return
        state = self._prospect(data["prospect"])
        if activity is None:
            activity = _Row(external_id=data["external_id"], prospect=state, user_id=data["user"].pk,
                            state=data["state"], has_task_job=False,
                            **{k: data[k] if data[k] is not None else _blank(k) for k in ACTIVITY_FIELDS})  # fmt: skip
            self.activities[activity.external_id] = activity
            self.new_activities.append(activity)
            state.last_rep_id = activity.user_id
            if completed or self.log_all:
                self._sync_ensure(state, activity.user_id)
                self._task_job(activity, JobAction.TASK_CREATE)
            self.answers_due.append(("activity", activity, state, False))
            return
        # An open activity ends: complete its Task, or create it now if none was ever queued.
        activity.state = ActivityState.COMPLETED
        for name in ACTIVITY_FIELDS:
            if data[name] not in (None, ""):
                setattr(activity, name, data[name])
        if activity.pk:
            self.completed[activity.pk] = activity
        if activity.has_task_job:
            self._task_job(activity, JobAction.TASK_COMPLETE)
        else:
            self._sync_ensure(state, activity.user_id)
            self._task_job(activity, JobAction.TASK_CREATE)
        self.answers_due.append(("activity", activity, state, False))

    def _on_opt_out(self, position: int, data: dict) -> None:
        state = self._prospect(data["prospect"])
        optout = _Row(prospect=state, channel=data["channel"], occurred_at=data["occurred_at"])
        self.optouts.append(optout)
        # Written as the rep who last had a task for the prospect, else its latest enroller (optout_candidates).
        user_id = state.last_rep_id if state.last_rep_id is not None else state.enroller_id
        self._job(JobAction.OPTOUT_WRITE, state, user_id, optout=optout)
        self.answers_due.append(("opt_out", optout, state, False))

    HANDLERS = {"prospect": _on_prospect, "enrollment": _on_enrollment, "activity": _on_activity,
                "opt_out": _on_opt_out}  # fmt: skip

    # -- 3. write --------------------------------------------------------------------------------------------------
    def write(self) -> None:
        """Parents before the rows that point at them; each table in one statement (see bulk.rows_insert)."""
        ws = self.workspace.pk
        new = [s.obj for s in self.new_prospects]
        prospect_columns = [f.attname for f in Prospect._meta.concrete_fields if not f.primary_key]
        prospect_rows = [{name: getattr(p, name) for name in prospect_columns} for p in new]
        for prospect, pk in zip(new, rows_insert(Prospect, prospect_rows, now=self.now), strict=True):
            prospect.pk, prospect.created_at, prospect.updated_at = pk, self.now, self.now
            prospect._state.adding = False
        self._prospects_update([s for s in self.found.values() if s.changed])
        _insert(Activity, self.new_activities, self.now, workspace_id=ws)
        if self.completed:
            for activity in self.completed.values():
                activity.updated_at = self.now
            Activity.objects.bulk_update(self.completed.values(), ["state", *ACTIVITY_FIELDS, "updated_at"])
        _insert(Enrollment, self.enrollments, self.now, workspace_id=ws)
        _insert(OptOut, self.optouts, self.now, workspace_id=ws)
        for job in self.jobs:
            job.idempotency_key = _job_key(job)
        _insert(WritebackJob, self.jobs, self.now, workspace_id=ws, next_attempt_at=self.now)
        if self.moved:
            users = Case(*[When(pk=pk, then=Value(user_id)) for pk, user_id in self.moved.items()])
            WritebackJob.objects.filter(pk__in=self.moved, status__in=UNTRIED, attempts=0).update(
                user_id=users, status=JobStatus.PENDING, next_attempt_at=self.now, updated_at=self.now
            )

    def _prospects_update(self, changed: list[_ProspectState]) -> None:
        """Only the fields each prospect's events changed (as save(update_fields=...) did), in one UPDATE."""
        if not changed:
            return
        names = sorted(set().union(*(s.changed for s in changed)))
        values = {
            name: Case(
                *[When(pk=s.obj.pk, then=Value(getattr(s.obj, name))) for s in changed if name in s.changed],
                default=F(name),
                output_field=Prospect._meta.get_field(name),
            )
            for name in names
        }
        Prospect.objects.filter(pk__in=[s.obj.pk for s in changed]).update(**values, updated_at=self.now)

    def answers(self) -> list[dict]:
        out = []
        for kind, row, prospect, duplicate in self.answers_due:
            answer = {"type": kind, "id": _pk(row)}
            if kind != "prospect":
                answer["prospect_id"] = _pk(prospect)
            if duplicate:
                answer["duplicate"] = True
            out.append(answer)
        return out

    def job_ids(self) -> list[int]:
        return [job.pk for job in self.jobs] + list(self.moved)

    def groups(self) -> set[tuple[int, int | None]]:
        users = {job.user_id for job in self.jobs} | set(self.moved.values())
        return {(self.workspace.pk, user_id) for user_id in users}


_REFERENCES = ("prospect", "activity", "enrollment", "optout")


def _insert(model, rows: list[_Row], now, **common) -> None:
    """Write new rows of one table (their references resolved to ids now that those are written); set their ids."""
    columns = {f.attname for f in model._meta.concrete_fields}
    values = []
    for row in rows:
        data = {**common, **{k: v for k, v in vars(row).items() if k in columns}}
        for name in _REFERENCES:
            if name in vars(row):
                data[f"{name}_id"] = _pk(getattr(row, name))
        values.append(data)
    for row, pk in zip(rows, rows_insert(model, values, now=now), strict=True):
        row.pk = pk


def _latest_first(when: str) -> Window:
    """Row number per prospect, newest first: filtered to 1, the latest row of each prospect in one query."""
    return Window(RowNumber(), partition_by=[F("prospect_id")], order_by=[F(when).desc(), F("id").desc()])


def _job_key(job: _Row) -> str:
    if job.action == JobAction.PROSPECT_SYNC:
        return f"prospect_sync:{_pk(job.prospect)}:{uuid.uuid4().hex[:12]}"
    if job.action == JobAction.SEQUENCE_UPDATE:
        return f"sequence_update:{job.enrollment.pk}"
    if job.action == JobAction.OPTOUT_WRITE:
        return f"optout_write:{job.optout.pk}"
    return f"{job.action}:{job.activity.pk}"


def _blank(name: str):
    return None if name in ("started_at", "completed_at", "duration_seconds") else ""
