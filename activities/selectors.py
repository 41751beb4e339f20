"""Reads for the activity pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from activities.models import (
    Activity,
    AttemptOutcome,
    JobAction,
    JobStatus,
    SalesforceType,
    WritebackAttempt,
    WritebackJob,
)
from activities.models.ledger import UNFINISHED_STATUSES
from integrations.models import Connection
from mappings.compat import FIELD_GONE, FIELD_NOT_WRITABLE

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
LEFT_OUT_REASONS = {"gone": FIELD_GONE, "read_only": FIELD_NOT_WRITABLE}
"""Drift notes are counted by their exact reason text; any other "<field> skipped: …" counts as "other"."""
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
    return _left_out(workspace, attempts, fields, days, now, counted="job__activity")


def sequence_fields_left_out(*, workspace, sobject: str, fields, days: int = LEFT_OUT_DAYS, now=None):
    """Mapped sequence fields recent updates of this object (Contact/Lead) were written without; counted in updates."""
    attempts = WritebackAttempt.objects.filter(
        job__action=JobAction.SEQUENCE_UPDATE, job__prospect__salesforce_type=sobject
    )
    return _left_out(workspace, attempts, fields, days, now, counted="job")


def creation_fields_left_out(*, workspace, sobject: str, fields, days: int = LEFT_OUT_DAYS, now=None):
    """Mapped creation defaults recent new records of this object were created without; counted in prospects.

    An Account is created with the Contact it belongs to, and its notes ride on that prospect's job as
    "Account: <field> skipped: …" (activities/services/writeback/prospects.py)."""
    attempts = WritebackAttempt.objects.filter(job__action=JobAction.PROSPECT_SYNC)
    if sobject == "Account":
        attempts = attempts.filter(job__prospect__salesforce_type=SalesforceType.CONTACT)
        return _left_out(workspace, attempts, fields, days, now, counted="job__prospect", prefix="Account: ")
    attempts = attempts.filter(job__prospect__salesforce_type=sobject)
    return _left_out(workspace, attempts, fields, days, now, counted="job__prospect", exclude_prefix="Account: ")


def _note(field: str, reason: str, prefix: str = "") -> str:
    """A case-insensitive regex for the note a write leaves when it skips `field` (as a whole name)."""
    return rf"(^|\s){_escape(prefix + field)} skipped: {reason}"


def _escape(text: str) -> str:
    """Escape for both Python's `re` (SQLite) and PostgreSQL's regexes, whose escapes differ beyond these."""
    return "".join(f"\\{c}" if c in ".^$*+?()[]{}|\\" else c for c in text)


def _note_q(field: str, reason: str, prefix: str, exclude_prefix: str) -> Q:
    q = Q(message__iregex=_note(field, reason, prefix))
    if exclude_prefix:
        # The same field name on the Account rides on the Contact's job with a prefix: not this object's note.
        q &= ~Q(message__iregex=f"{_escape(exclude_prefix + field)} skipped: {reason}")
    return q


def _left_out(workspace, attempts, fields, days, now, *, counted: str, prefix: str = "", exclude_prefix: str = ""):
    fields = list(dict.fromkeys(f for f in fields if f))
    if not fields:
        return []
    since = (now or timezone.now()) - timedelta(days=days)
    rows = attempts.filter(
        job__workspace=workspace, outcome__in=_WRITTEN, started_at__gte=since, message__contains=" skipped: "
    )
    aggregates, keys = {}, []
    for i, field in enumerate(fields):
        known = {key: _note_q(field, _escape(text), prefix, exclude_prefix) for key, text in LEFT_OUT_REASONS.items()}
        known["other"] = _note_q(field, "", prefix, exclude_prefix)
        for key in LEFT_OUT_REASONS:
            known["other"] &= ~known[key]
        for key, q in known.items():
            aggregates[f"n_{i}_{key}"] = Count(counted, distinct=True, filter=q)
            aggregates[f"ex_{i}_{key}"] = Max("job", filter=q)
            keys.append((i, field, key))
    groups = list(rows.values("job__user", "job__connection").annotate(**aggregates).order_by())
    users = {u.pk: u for u in User.objects.filter(pk__in={g["job__user"] for g in groups})}
    names = dict(
        Connection.objects.filter(pk__in={g["job__connection"] for g in groups}).values_list("pk", "remote_username")
    )
    found = []
    for group in groups:
        user = users.get(group["job__user"])
        written_as = names.get(group["job__connection"]) or (user.email if user else "")
        for i, field, key in keys:
            if group[f"n_{i}_{key}"]:
                found.append((field, key, user, written_as, group[f"n_{i}_{key}"], group[f"ex_{i}_{key}"]))
    examples = _example_activities({f[5] for f in found})
    result = [LeftOutGroup(*f, example_activity_id=examples.get(f[5])) for f in found]
    order = {field: i for i, field in enumerate(fields)}
    return sorted(result, key=lambda g: (order[g.field], -g.count, g.written_as))


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
