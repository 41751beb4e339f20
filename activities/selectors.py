"""Reads for the activity pages and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
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
from integrations.models import Connection, ConnectionKind
from mappings.payloads import GONE, INVALID_VALUE, NOT_WRITABLE, RESERVED

User = get_user_model()


def writeback_counts(*, workspace) -> dict[str, int]:
    rows = WritebackJob.objects.filter(workspace=workspace).aggregate(
        pending=Count("id", filter=Q(status__in=UNFINISHED_STATUSES)),
        failed=Count("id", filter=Q(status=JobStatus.FAILED)),
        written=Count("id", filter=Q(status=JobStatus.SUCCEEDED)),
        waiting_reconnect=Count("id", filter=Q(status=JobStatus.WAITING_RECONNECT)),
        waiting_budget=Count("id", filter=Q(status=JobStatus.WAITING_BUDGET)),
        skipped=Count("id", filter=Q(status=JobStatus.SKIPPED)),
    )
    return rows


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


def job_list_waiting(*, workspace) -> list[WaitingGroup]:
    waiting = (JobStatus.WAITING_RECONNECT, JobStatus.WAITING_BUDGET)
    jobs = WritebackJob.objects.filter(workspace=workspace, status__in=waiting)
    groups = jobs.values("status", "user").annotate(count=Count("id")).order_by("status", "-count")
    users = {u.pk: u for u in User.objects.filter(pk__in={g["user"] for g in groups})}
    labels = dict(JobStatus.choices)
    result = []
    for group in groups:
        latest = jobs.filter(status=group["status"], user=group["user"]).order_by("-updated_at").first()
        result.append(
            WaitingGroup(
                status=group["status"],
                status_label=labels[group["status"]],
                user=users.get(group["user"]),
                count=group["count"],
                reason=latest.last_error_message if latest else "",
            )
        )
    return result


def activity_list_recent(*, workspace, limit: int = 50) -> QuerySet[Activity]:
    return Activity.objects.filter(workspace=workspace).select_related("prospect", "user")[:limit]


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
