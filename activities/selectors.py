"""Reads for the activity pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from activities.models import Activity, JobStatus, WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES

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
