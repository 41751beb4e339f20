"""Reads for the activity pages and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from activities.models import Activity, JobStatus, WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES


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


def job_list_waiting(*, workspace) -> QuerySet[WritebackJob]:
    waiting = (JobStatus.WAITING_RECONNECT, JobStatus.WAITING_BUDGET)
    return WritebackJob.objects.filter(workspace=workspace, status__in=waiting).select_related("prospect", "user")


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
