"""Reads for the activity pages and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone

from activities.models import (
    Activity,
    AttemptOutcome,
    JobAction,
    JobStatus,
    MatchReview,
    Prospect,
    SalesforceType,
    WritebackAttempt,
    WritebackJob,
)
from activities.models.ledger import UNFINISHED_STATUSES
from activities.services.writeback.steps import DEPENDENCY_FAILED
from integrations.models import Connection, ConnectionKind
from mappings.payloads import GONE, INVALID_VALUE, NOT_WRITABLE, RESERVED

User = get_user_model()


def writeback_counts_by_workspace() -> list[dict]:
    """Pending, failed and written jobs per workspace, for the admin (which sees every workspace)."""
    return list(
        WritebackJob.objects.values("workspace_id", "workspace__name")
        .annotate(
            pending=Count("id", filter=Q(status__in=UNFINISHED_STATUSES)),
            failed=Count("id", filter=Q(status=JobStatus.FAILED)),
            written=Count("id", filter=Q(status=JobStatus.SUCCEEDED)),
        )
        .order_by("workspace__name", "workspace_id")
    )


def job_list_failed(*, workspace) -> QuerySet[WritebackJob]:
    return (
        WritebackJob.objects.filter(workspace=workspace, status=JobStatus.FAILED)
        .select_related("prospect", "activity", "user")
        .order_by("-updated_at")
    )


def job_list_skipped_for_a_setting(*, workspace, limit: int = 20) -> QuerySet[WritebackJob]:
    """Skipped writes a setting could fix (an opt-out field no rep can write): not failures, but worth a look."""
    return (
        WritebackJob.objects.filter(workspace=workspace, status=JobStatus.SKIPPED)
        .exclude(fix_url="")
        .select_related("prospect", "user")
        .order_by("-updated_at")[:limit]
    )


@dataclass(frozen=True)
class WaitingGroup:
    """Paused writes of one rep for one reason: a page lists a line per rep, not a line per job."""

    status: str
    status_label: str
    user: object | None
    count: int
    reason: str


def job_list_waiting(*, workspace, user=None) -> list[WaitingGroup]:
    waiting = (JobStatus.WAITING_RECONNECT, JobStatus.WAITING_BUDGET)
    jobs = WritebackJob.objects.filter(workspace=workspace, status__in=waiting)
    if user is not None:
        jobs = jobs.filter(user=user)
    groups = list(
        jobs.values("status", "user").annotate(count=Count("id"), latest=Max("id")).order_by("status", "-count")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in={g["user"] for g in groups})}
    # One read for every group's reason (the newest job's), not one per rep: 30 reps make 30 groups.
    reasons = dict(
        WritebackJob.objects.filter(pk__in=[g["latest"] for g in groups]).values_list("pk", "last_error_message")
    )
    labels = dict(JobStatus.choices)
    return [
        WaitingGroup(status=group["status"], status_label=labels[group["status"]], user=users.get(group["user"]),
                     count=group["count"], reason=reasons.get(group["latest"], ""))
        for group in groups
    ]  # fmt: skip


def activity_status(*, activity: Activity) -> dict:
    jobs = list(activity.writeback_jobs.order_by("id"))
    if any(j.status == JobStatus.FAILED for j in jobs):
        status = "failed"
    elif jobs and all(j.status in (JobStatus.SUCCEEDED, JobStatus.SKIPPED, JobStatus.CANCELLED) for j in jobs):
        status = "written" if activity.salesforce_task_id else "done"
    elif jobs:
        status = "pending"
    else:
        status = "stored"
    return {
        "id": activity.pk,
        "external_id": activity.external_id,
        "status": status,
        "salesforce_task_id": activity.salesforce_task_id or None,
        "jobs": [
            {
                "id": j.pk,
                "action": j.action,
                "status": j.status,
                "attempts": j.attempts,
                "error": {"code": j.last_error_code, "message": j.last_error_message} if j.last_error_code else None,
            }
            for j in jobs
        ],  # fmt: skip
    }


LEFT_OUT_DAYS = 14
"""How far back the settings pages look for writes that had to leave a mapped field out."""
LEFT_OUT_REASONS = {GONE: "gone", NOT_WRITABLE: "read_only", INVALID_VALUE: "other", RESERVED: "other"}
"""How the pages group the ledger's reasons (`WritebackAttempt.skipped_fields`); a value cut to length is not
left out, so it is not listed."""
_REASON_ORDER = {"gone": 0, "read_only": 1, "other": 2}
_WRITTEN = (AttemptOutcome.SUCCEEDED, AttemptOutcome.SKIPPED)
"""A SKIPPED attempt is a write with nothing left to send (every sequence field left out): it counts too."""


@dataclass(frozen=True)
class LeftOutGroup:
    """One mapped field that one rep's recent writes left out, for one reason."""

    field: str
    reason: str
    """"gone" (hidden from the rep or deleted), "read_only" (not writable for the rep), or "other" (its value)."""
    user: object | None
    written_as: str
    """The Salesforce username the writes went out as (the rep's email when the connection is gone)."""
    count: int
    example_job_id: int
    example_activity_id: int | None
    """An activity whose history shows one of these writes (None when no activity page shows it)."""


def task_fields_left_out(*, workspace, kind: str, fields, days: int = LEFT_OUT_DAYS, now=None) -> list[LeftOutGroup]:
    """Mapped Task fields recent Tasks of this activity kind were written without, per rep; counted in Tasks."""
    attempts = WritebackAttempt.objects.filter(
        job__action__in=(JobAction.TASK_CREATE, JobAction.TASK_COMPLETE), job__activity__kind=kind
    )
    return _left_out(workspace, attempts, fields, days, now, sobject="Task", counted="job__activity")


def sequence_fields_left_out(*, workspace, sobject: str, fields, days: int = LEFT_OUT_DAYS, now=None):
    """Mapped sequence fields recent updates of this object (Contact/Lead) were written without; counted in updates."""
    attempts = WritebackAttempt.objects.filter(
        job__action=JobAction.SEQUENCE_UPDATE, job__prospect__salesforce_type=sobject
    )
    return _left_out(workspace, attempts, fields, days, now, sobject=sobject, counted="job")


def creation_fields_left_out(*, workspace, sobject: str, fields, days: int = LEFT_OUT_DAYS, now=None):
    """Mapped creation defaults recent new records of this object were created without; counted in prospects.

    An Account is created with the Contact it belongs to, and what it left out is recorded on that prospect's
    job, as items of sobject "Account" (activities/services/writeback/prospects.py)."""
    owner = SalesforceType.CONTACT if sobject == "Account" else sobject
    attempts = WritebackAttempt.objects.filter(
        job__action=JobAction.PROSPECT_SYNC, job__prospect__salesforce_type=owner
    )
    return _left_out(workspace, attempts, fields, days, now, sobject=sobject, counted="job__prospect")


def _left_out(workspace, attempts, fields, days, now, *, sobject: str, counted: str) -> list[LeftOutGroup]:
    """Counted in Python: a JSON list cannot be grouped by its items portably (SQLite and PostgreSQL), and the
    rows are few (one workspace, the last days, attempts that left something out; indexed on started_at)."""
    wanted: dict[str, str] = {}
    for name in fields:
        if name:
            wanted.setdefault(name.lower(), name)  # Salesforce API names are case-insensitive
    if not wanted:
        return []
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        attempts.filter(job__workspace=workspace, outcome__in=_WRITTEN, started_at__gte=since)
        .exclude(skipped_fields=[])
        .values_list("job__user", "job__connection", counted, "job", "skipped_fields")
    )
    counts: dict[tuple, set[int]] = defaultdict(set)
    examples: dict[tuple, int] = {}
    for user_id, connection_id, counted_id, job_id, items in rows.iterator(chunk_size=2000):
        for item in items:
            field = wanted.get(str(item.get("field", "")).lower())
            reason = LEFT_OUT_REASONS.get(item.get("reason"))
            if item.get("sobject") != sobject or field is None or reason is None or counted_id is None:
                continue
            key = (user_id, connection_id, field, reason)
            counts[key].add(counted_id)
            examples[key] = max(examples.get(key, 0), job_id)
    users = {u.pk: u for u in User.objects.filter(pk__in={key[0] for key in counts})}
    names = dict(Connection.objects.filter(pk__in={key[1] for key in counts}).values_list("pk", "remote_username"))
    activities = _example_activities(set(examples.values()))
    result = []
    for key, counted_ids in counts.items():
        user_id, connection_id, field, reason = key
        user = users.get(user_id)
        written_as = names.get(connection_id) or (user.email if user else "")
        result.append(LeftOutGroup(field=field, reason=reason, user=user, written_as=written_as,
                                   count=len(counted_ids), example_job_id=examples[key],
                                   example_activity_id=activities.get(examples[key])))  # fmt: skip
    order = {field: i for i, field in enumerate(wanted.values())}
    return sorted(result, key=lambda g: (order[g.field], _REASON_ORDER[g.reason], -g.count, g.written_as))


def _example_activities(job_ids: set[int]) -> dict[int, int]:
    """Job → an activity whose history page shows it: its own activity, or (for a prospect's find-or-create,
    which every activity page of the prospect lists) the prospect's newest activity. Sequence updates have none."""
    jobs = list(WritebackJob.objects.filter(pk__in=job_ids).values_list("pk", "action", "activity_id", "prospect_id"))
    found = {pk: activity for pk, _, activity, _ in jobs if activity}
    prospects = {pk: prospect for pk, action, activity, prospect in jobs if action == JobAction.PROSPECT_SYNC}
    newest = dict(
        Activity.objects.filter(prospect_id__in=set(prospects.values()))
        .values("prospect_id")
        .annotate(last=Max("id"))
        .values_list("prospect_id", "last")
    )
    found.update({pk: newest[p] for pk, p in prospects.items() if p in newest})
    return found


def salesforce_base_url(*, workspace) -> str:
    """The org's address for links to records (instance URL + /<id>): the admin connection's, else any rep's."""
    connections = Connection.objects.filter(workspace=workspace).exclude(instance_url="")
    # The admin connection first: it is the one the whole workspace shares.
    connection = connections.order_by(_admin_first(), "id").first()
    return connection.instance_url.rstrip("/") if connection else ""


def _admin_first():
    return Case(When(kind=ConnectionKind.ADMIN, then=Value(0)), default=Value(1), output_field=IntegerField())


def match_review_list(*, workspace, limit: int = 200) -> QuerySet[Prospect]:
    """Prospects whose Salesforce record an admin must choose or confirm, with their candidates."""
    return (
        Prospect.objects.filter(workspace=workspace)
        .filter(review__in=(MatchReview.HELD, MatchReview.NAME_ONLY))
        .prefetch_related("match_candidates")
        .order_by("review", "-updated_at")[:limit]
    )


# -- the Activity page: activities (not jobs), searched and paged; failures grouped by error; writes per hour ------
class WriteState:
    """Where an activity's writes stand, as one word a person can filter on. Derived from its jobs (and its
    prospect's find-or-create, which its Task waits on), so it is never out of step with the ledger."""

    FAILED = "failed"
    WAITING = "waiting"
    PENDING = "pending"
    WRITTEN = "written"
    NOT_WRITTEN = "not_written"
    NOT_LOGGED = "not_logged"
    choices = [
        (WRITTEN, "Written to Salesforce"),
        (PENDING, "Pending"),
        (WAITING, "Waiting (reconnect, API budget or a match review)"),
        (FAILED, "Failed"),
        (NOT_WRITTEN, "Not written (cancelled or skipped)"),
        (NOT_LOGGED, "Not logged (open, logged when completed)"),
    ]
    labels = {WRITTEN: "Written", PENDING: "Pending", WAITING: "Waiting", FAILED: "Failed",
              NOT_WRITTEN: "Not written", NOT_LOGGED: "Not logged"}  # fmt: skip


WAITING_STATUSES = (JobStatus.WAITING_RECONNECT, JobStatus.WAITING_BUDGET, JobStatus.WAITING_REVIEW)


def _write_state():
    """One CASE over EXISTS subqueries (each on an indexed foreign key), so the state is computed for the rows a
    page shows, and counted and filtered in the database, without a query per activity."""
    jobs = WritebackJob.objects.filter(activity=OuterRef("pk"))
    prospect_waits = WritebackJob.objects.filter(
        prospect=OuterRef("prospect"), action=JobAction.PROSPECT_SYNC, status__in=WAITING_STATUSES
    )
    unfinished = Exists(jobs.filter(status__in=UNFINISHED_STATUSES))
    return Case(
        When(Exists(jobs.filter(status=JobStatus.FAILED)), then=Value(WriteState.FAILED)),
        When(Exists(jobs.filter(status__in=WAITING_STATUSES)), then=Value(WriteState.WAITING)),
        # Its Task waits behind the prospect's find-or-create, which waits for a reconnect, budget or a review.
        When(unfinished & Exists(prospect_waits), then=Value(WriteState.WAITING)),
        When(unfinished, then=Value(WriteState.PENDING)),
        When(~Q(salesforce_task_id=""), then=Value(WriteState.WRITTEN)),
        When(Exists(jobs), then=Value(WriteState.NOT_WRITTEN)),
        default=Value(WriteState.NOT_LOGGED),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class ActivitySearch:
    """What the Activity page's search asks for; every field optional."""

    user: object | None = None
    """One rep's activities; None: the whole team."""
    q: str = ""
    """Part of the prospect's name or email, or the subject."""
    kind: str = ""
    state: str = ""
    """open or completed (the activity's own state)."""
    write_state: str = ""
    """One of WriteState."""
    since: date | None = None
    until: date | None = None
    error_code: str = ""
    """Only activities with a failed write of this error code (from a failure group)."""


def activity_search(*, workspace, search: ActivitySearch = ActivitySearch()) -> QuerySet[Activity]:
    """Activities newest first (by when they happened), each with `write_state` and `occurred_at`."""
    qs = Activity.objects.filter(workspace=workspace).annotate(
        occurred_at=Coalesce("completed_at", "started_at", "received_at"), write_state=_write_state()
    )
    if search.user is not None:
        qs = qs.filter(user=search.user)
    if search.q:
        words = search.q.split()
        for word in words[:5]:  # every word must match somewhere: "pat fjord" finds Pat at Fjord
            qs = qs.filter(
                Q(prospect__first_name__icontains=word) | Q(prospect__last_name__icontains=word)
                | Q(prospect__email__icontains=word) | Q(prospect__company_name__icontains=word)
                | Q(subject__icontains=word)
            )  # fmt: skip
    if search.kind:
        qs = qs.filter(kind=search.kind)
    if search.state:
        qs = qs.filter(state=search.state)
    if search.write_state:
        qs = qs.filter(write_state=search.write_state)
    if search.since:
        qs = qs.filter(occurred_at__gte=_day_start(search.since))
    if search.until:
        qs = qs.filter(occurred_at__lt=_day_start(search.until + timedelta(days=1)))
    if search.error_code:
        # Its own write failed so, or its prospect's find-or-create did (then the Task failed as a consequence).
        failed = WritebackJob.objects.filter(status=JobStatus.FAILED, last_error_code=search.error_code)
        qs = qs.filter(
            Exists(failed.filter(activity=OuterRef("pk")))
            | Exists(failed.filter(prospect=OuterRef("prospect"), action=JobAction.PROSPECT_SYNC))
        )
    return qs.select_related("prospect", "user").order_by("-occurred_at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def activity_counts(*, workspace, user=None) -> dict[str, int]:
    """Activities (calls, emails, LinkedIn touches) by where their writes stand: a person counts activities and
    Tasks, not the jobs behind them (one activity can need a find-or-create, a Task and its completion)."""
    qs = Activity.objects.filter(workspace=workspace)
    if user is not None:
        qs = qs.filter(user=user)
    # GROUP BY the state: SQLite inlines an annotation into every FILTER that names it, so seven filtered counts
    # would work out each activity's state seven times (over a second for 10,000 activities); grouping does it once.
    rows = qs.annotate(write_state=_write_state()).values("write_state").annotate(n=Count("id")).order_by()
    counts = {state: 0 for state, _ in WriteState.choices}
    for row in rows:
        counts[row["write_state"]] = row["n"]
    return {"total": sum(counts.values()), **counts}


def other_write_counts(*, workspace, user=None) -> dict[str, dict[str, int]]:
    """Writes that are not an activity's Task (find-or-create a prospect, sequence fields, SMS opt-outs), as
    jobs by action: listed apart so the activity counts add up."""
    jobs = WritebackJob.objects.filter(workspace=workspace, activity__isnull=True)
    if user is not None:
        jobs = jobs.filter(user=user)
    rows = jobs.values("action").annotate(
        pending=Count("id", filter=Q(status__in=UNFINISHED_STATUSES)),
        failed=Count("id", filter=Q(status=JobStatus.FAILED)),
        written=Count("id", filter=Q(status=JobStatus.SUCCEEDED)),
    )
    labels = dict(JobAction.choices)
    return {labels[r["action"]]: r for r in rows.order_by("action")}


@dataclass
class FailureGroup:
    """Failed writes that failed the same way: one line, one retry, however many jobs it holds."""

    code: str
    message: str
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    latest_id: int
    """The newest job of the group: its key in URLs (the group is every failed job with its code and message)."""
    fix_url: str
    consequence: bool = False
    """DEPENDENCY_FAILED: these failed because their prospect could not be written."""
    reps: list = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    latest: WritebackJob | None = None


def failure_group_list(*, workspace, user=None) -> QuerySet:
    """Failed jobs grouped by error code and message, biggest first; rows are dicts (page them, then `enrich`).
    Writes that failed only because their prospect could not be written come last: their cause is listed above."""
    jobs = WritebackJob.objects.filter(workspace=workspace, status=JobStatus.FAILED)
    if user is not None:
        jobs = jobs.filter(user=user)
    consequence = Case(When(last_error_code=DEPENDENCY_FAILED, then=Value(1)), default=Value(0))
    return (
        jobs.values("last_error_code", "last_error_message")
        .annotate(
            count=Count("id"),
            first_seen=Min("finished_at"),
            last_seen=Max("finished_at"),
            latest_id=Max("id"),
            fix_url=Max("fix_url"),
            consequence=Max(consequence),
        )
        .order_by("consequence", "-count", "-last_seen", "last_error_code")
    )


def failure_groups_enrich(*, workspace, rows, user=None) -> list[FailureGroup]:
    """The groups of one page with their reps, actions and newest job: three reads whatever the page holds."""
    groups = [FailureGroup(code=r["last_error_code"], message=r["last_error_message"], count=r["count"],
                           first_seen=r["first_seen"], last_seen=r["last_seen"], latest_id=r["latest_id"],
                           fix_url=r["fix_url"] or "", consequence=bool(r["consequence"])) for r in rows]  # fmt: skip
    if not groups:
        return groups
    jobs = WritebackJob.objects.filter(workspace=workspace, status=JobStatus.FAILED,
                                       last_error_code__in={g.code for g in groups})  # fmt: skip
    if user is not None:
        jobs = jobs.filter(user=user)
    members = defaultdict(set)
    actions = defaultdict(set)
    for code, message, user_id, action in jobs.values_list("last_error_code", "last_error_message", "user",
                                                          "action").distinct():  # fmt: skip
        members[(code, message)].add(user_id)
        actions[(code, message)].add(action)
    users = {u.pk: u for u in User.objects.filter(pk__in=set().union(*members.values()) - {None})}
    latest = WritebackJob.objects.select_related("prospect", "activity").in_bulk([g.latest_id for g in groups])
    labels = dict(JobAction.choices)
    for g in groups:
        key = (g.code, g.message)
        g.reps = sorted((users[u] for u in members[key] if u in users), key=lambda u: u.email)
        g.actions = sorted(labels[a] for a in actions[key])
        g.latest = latest.get(g.latest_id)
    return groups


def failure_group_jobs(*, workspace, latest_id: int, user=None) -> QuerySet[WritebackJob]:
    """Every failed job of the group `latest_id` names (same error code and message), in this workspace only,
    plus the writes that failed only because these did (a Task whose prospect could not be written): retrying the
    cause retries them too, after it (per-prospect order). Empty when that job is no longer failed."""
    example = WritebackJob.objects.filter(workspace=workspace, pk=latest_id, status=JobStatus.FAILED).first()
    if example is None:
        return WritebackJob.objects.none()
    failed = WritebackJob.objects.filter(workspace=workspace, status=JobStatus.FAILED)
    group = failed.filter(last_error_code=example.last_error_code, last_error_message=example.last_error_message)
    if user is not None:
        group = group.filter(user=user)
    jobs = group
    if example.last_error_code != DEPENDENCY_FAILED:
        prospects = group.filter(action=JobAction.PROSPECT_SYNC).values("prospect")
        dependents = failed.filter(last_error_code=DEPENDENCY_FAILED, prospect__in=prospects)
        jobs = failed.filter(Q(pk__in=group.values("pk")) | Q(pk__in=dependents.values("pk")))
    return jobs.select_related("prospect").order_by("-id")


CHART_WINDOWS = {"day": (24, 1), "week": (7 * 24, 1)}
"""Window → (hours shown, hours per bar)."""
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 720, 180, 36, 22
"""SVG geometry (viewBox units): the plot sits right of the y labels and above the x labels."""
_CHART_OUTCOMES = {AttemptOutcome.SUCCEEDED: "written", AttemptOutcome.RETRY: "retried",
                   AttemptOutcome.FAILED: "failed"}  # fmt: skip


@dataclass
class ChartBar:
    start: datetime
    written: int = 0
    retried: int = 0
    failed: int = 0
    x: float = 0
    width: float = 0
    rects: list = field(default_factory=list)
    """(css class, y, height) from the bottom up: written, retried, failed."""

    @property
    def total(self) -> int:
        return self.written + self.retried + self.failed


@dataclass
class WriteChart:
    window: str
    bars: list[ChartBar]
    totals: dict[str, int]
    top: int
    """The y axis' top value (a round number at least the tallest bar)."""
    ticks: list[tuple[float, int]]
    """(y, value) of the y axis lines."""
    labels: list[tuple[float, str]]
    """(x, text) under the x axis."""
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    plot_bottom: int = CHART_HEIGHT - CHART_BOTTOM


def write_chart(*, workspace, user=None, window: str = "day", now=None) -> WriteChart:
    """Salesforce writes per hour over the last day or week: each attempt that wrote (written), will be tried again
    (retried) or gave up (failed). Counted by the database per hour, so a week of a big team is one small read."""
    hours, step = CHART_WINDOWS.get(window, CHART_WINDOWS["day"])
    now = timezone.localtime(now or timezone.now())
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    attempts = WritebackAttempt.objects.filter(job__workspace=workspace, started_at__gte=start,
                                               outcome__in=list(_CHART_OUTCOMES))  # fmt: skip
    if user is not None:
        attempts = attempts.filter(job__user=user)
    rows = attempts.annotate(hour=TruncHour("started_at")).values("hour", "outcome").annotate(n=Count("id"))
    bars = [ChartBar(start=start + timedelta(hours=i)) for i in range(0, hours, step)]
    by_start = {bar.start: bar for bar in bars}
    totals = {"written": 0, "retried": 0, "failed": 0}
    for row in rows:
        bar = by_start.get(row["hour"])
        if bar is None:
            continue
        name = _CHART_OUTCOMES[row["outcome"]]
        setattr(bar, name, getattr(bar, name) + row["n"])
        totals[name] += row["n"]
    top = _nice_top(max((bar.total for bar in bars), default=0))
    plot_w, plot_h = CHART_WIDTH - CHART_LEFT, CHART_HEIGHT - CHART_BOTTOM - 8
    bottom = CHART_HEIGHT - CHART_BOTTOM
    slot = plot_w / len(bars)
    for i, bar in enumerate(bars):
        bar.x, bar.width = round(CHART_LEFT + i * slot + slot * 0.12, 2), round(slot * 0.76, 2)
        y = bottom
        for name in ("written", "retried", "failed"):
            value = getattr(bar, name)
            if value:
                h = plot_h * value / top
                y -= h
                bar.rects.append((name, round(y, 2), round(h, 2)))
    ticks = [(round(bottom - plot_h * v / top, 2), v) for v in (0, top // 2, top) if v or top]
    every = 6 if window == "day" else 24
    labels = [(round(CHART_LEFT + i * slot, 2), _hour_label(bar.start, window))
              for i, bar in enumerate(bars) if bar.start.hour % every == 0]  # fmt: skip
    return WriteChart(window=window if window in CHART_WINDOWS else "day", bars=bars, totals=totals, top=top,
                      ticks=ticks, labels=labels)  # fmt: skip


def _nice_top(value: int) -> int:
    """The smallest of 2, 4, 10, 20, 40, 100, ... at least `value`: even halves for the middle line."""
    top = 2
    while top < value:
        top = top * 5 // 2 if str(top).startswith("4") else top * 2
    return top


def _hour_label(moment: datetime, window: str) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%H:%M") if window == "day" else local.strftime("%a %d")


@dataclass
class RepWrites:
    user: object | None
    written: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0
    """Writes of theirs paused now (reconnect, budget, review)."""
    failing: int = 0
    """Their writes that are failed now (not only in the window)."""


def writes_by_rep(*, workspace, window: str = "day", user=None, now=None) -> list[RepWrites]:
    """The chart's numbers per rep over the same window, plus what is paused or failed for each of them now."""
    hours, _ = CHART_WINDOWS.get(window, CHART_WINDOWS["day"])
    now = now or timezone.now()
    end = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    attempts = WritebackAttempt.objects.filter(job__workspace=workspace, started_at__gte=end - timedelta(hours=hours),
                                               outcome__in=list(_CHART_OUTCOMES))  # fmt: skip
    jobs = WritebackJob.objects.filter(workspace=workspace).filter(
        Q(status__in=WAITING_STATUSES) | Q(status=JobStatus.FAILED)
    )
    if user is not None:
        attempts, jobs = attempts.filter(job__user=user), jobs.filter(user=user)
    rows: dict = {}
    for user_id, outcome, n in attempts.values_list("job__user", "outcome").annotate(n=Count("id")).order_by():
        row = rows.setdefault(user_id, RepWrites(user=user_id))
        name = _CHART_OUTCOMES[outcome]
        setattr(row, name, getattr(row, name) + n)
    now_rows = jobs.values("user").annotate(
        waiting=Count("id", filter=Q(status__in=WAITING_STATUSES)), failing=Count("id", filter=Q(status="failed"))
    )
    for r in now_rows.order_by():
        row = rows.setdefault(r["user"], RepWrites(user=r["user"]))
        row.waiting, row.failing = r["waiting"], r["failing"]
    users = {u.pk: u for u in User.objects.filter(pk__in=set(rows) - {None})}
    for row in rows.values():
        row.user = users.get(row.user)
    return sorted(rows.values(), key=lambda r: (-(r.written + r.retried + r.failed), r.user.email if r.user else ""))


def workspace_reps(*, workspace) -> QuerySet:
    """Members of the workspace, for the rep filter."""
    return User.objects.filter(memberships__workspace=workspace).order_by("email")
