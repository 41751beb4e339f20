"""The event ingest as it was before issue 17: one event at a time, a few ORM queries each (a prospect lookup, an
insert or update, an activity insert, job inserts, per-prospect checks).

Kept unchanged as the baseline of `bench.writeback` (ingest_events_per_s beside the set-based path) and as the
reference the set-based path is checked against in tests/activities/test_ingest.py. Not used by the product.
"""

from __future__ import annotations

import uuid

from django.db import transaction
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
from activities.services.ingest import ACTIVITY_FIELDS, PROSPECT_FIELDS, IngestResult, events_validate
from activities.services.writeback.enqueue import writeback_enqueue_on_commit
from mappings.selectors import crm_settings_get
from mappings.types import LogMode
from workspaces.models import Workspace


def events_ingest_per_event(*, workspace: Workspace, events) -> IngestResult:
    """The old events_ingest: same validation, same outcome, one event after the other."""
    cleaned = events_validate(workspace=workspace, events=events)
    result = IngestResult()
    settings_row = crm_settings_get(workspace=workspace)
    with transaction.atomic():
        for item in cleaned:
            handler = _HANDLERS[item.type]
            result.results.append(handler(workspace, item.data, result.job_ids, settings_row))
        if result.job_ids:
            writeback_enqueue_on_commit(job_ids=result.job_ids)
    return result


# -- helpers ---------------------------------------------------------------------------------------------------
def _prospect_upsert(workspace: Workspace, data: dict) -> Prospect:
    prospect = None
    if data["email"]:
        prospect = Prospect.objects.filter(workspace=workspace, email=data["email"]).first()
    if prospect is None and data["linkedin_url"]:
        prospect = Prospect.objects.filter(workspace=workspace, linkedin_url=data["linkedin_url"]).first()
        if prospect and prospect.email and data["email"] and prospect.email != data["email"]:
            prospect = None  # same profile URL, different person record: keep them apart
    if prospect is None:
        return Prospect.objects.create(workspace=workspace, **{k: data[k] for k in PROSPECT_FIELDS})
    changed = [k for k in PROSPECT_FIELDS if data[k] and getattr(prospect, k) != data[k]]
    for name in changed:
        setattr(prospect, name, data[name])
    if changed:
        prospect.save(update_fields=[*changed, "updated_at"])
    return prospect


def _job_create(job_ids: list[int], *, action: str, key: str, **fields) -> WritebackJob:
    job = WritebackJob.objects.create(action=action, idempotency_key=key, next_attempt_at=timezone.now(), **fields)
    job_ids.append(job.pk)
    return job


def _prospect_sync_ensure(workspace: Workspace, prospect: Prospect, user, job_ids: list[int]) -> None:
    """Queue a find-or-create unless the prospect is known or already queued. It runs as the sequencing rep (the
    latest to enroll the prospect), so Created By is theirs; `user` only when nobody enrolled them."""
    if prospect.salesforce_id:
        return
    latest = (
        Enrollment.objects.filter(prospect=prospect, event=EnrollmentEvent.ENROLLED)
        .select_related("user")
        .order_by("-occurred_at", "-id")
        .first()
    )
    user = latest.user if latest else user
    queued = WritebackJob.objects.filter(
        prospect=prospect, action=JobAction.PROSPECT_SYNC, status__in=UNFINISHED_STATUSES
    )
    if not queued.exists():
        _job_create(
            job_ids,
            action=JobAction.PROSPECT_SYNC,
            key=f"prospect_sync:{prospect.pk}:{uuid.uuid4().hex[:12]}",
            workspace=workspace,
            prospect=prospect,
            user=user,
        )
        return
    # Another rep's event queued it before the enrollment came in. Never tried, so nothing was written as them:
    # hand it to the sequencing rep (a running or retried job is left alone).
    untried = queued.filter(status__in=(JobStatus.PENDING, JobStatus.WAITING_RECONNECT), attempts=0).exclude(user=user)
    moved = list(untried.values_list("pk", flat=True))
    if moved:
        WritebackJob.objects.filter(pk__in=moved, attempts=0).update(
            user=user, status=JobStatus.PENDING, next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        job_ids.extend(moved)


def _handle_prospect(workspace, data, job_ids, settings_row) -> dict:
    prospect = _prospect_upsert(workspace, data["prospect"])
    if data.get("user"):
        _prospect_sync_ensure(workspace, prospect, data["user"], job_ids)
    return {"type": "prospect", "id": prospect.pk}


def _handle_enrollment(workspace, data, job_ids, settings_row) -> dict:
    prospect = _prospect_upsert(workspace, data["prospect"])
    enrollment = Enrollment.objects.create(
        workspace=workspace,
        prospect=prospect,
        user=data["user"],
        event=data["event"],
        sequence_name=data["sequence_name"],
        step_name=data["step_name"],
        status=data["status"],
        occurred_at=data["occurred_at"],
    )
    _prospect_sync_ensure(workspace, prospect, data["user"], job_ids)
    _job_create(
        job_ids,
        action=JobAction.SEQUENCE_UPDATE,
        key=f"sequence_update:{enrollment.pk}",
        workspace=workspace,
        prospect=prospect,
        enrollment=enrollment,
        user=data["user"],
    )
    return {"type": "enrollment", "id": enrollment.pk, "prospect_id": prospect.pk}


def _handle_activity(workspace, data, job_ids, settings_row) -> dict:
    activity = Activity.objects.filter(workspace=workspace, external_id=data["external_id"]).first()
    completed = data["state"] == ActivityState.COMPLETED
    if activity is not None and (activity.state == ActivityState.COMPLETED or not completed):
        # A repeat of an id we have: refused before anything is written, so it leaves no prospect behind either.
        return {"type": "activity", "id": activity.pk, "prospect_id": activity.prospect_id, "duplicate": True}
    prospect = _prospect_upsert(workspace, data["prospect"])
    log_all = settings_row.log_mode == LogMode.ALL
    if activity is None:
        activity = Activity.objects.create(
            workspace=workspace,
            external_id=data["external_id"],
            prospect=prospect,
            user=data["user"],
            state=data["state"],
            **{k: data[k] if data[k] is not None else _blank(k) for k in ACTIVITY_FIELDS},
        )
        if completed or log_all:
            _prospect_sync_ensure(workspace, prospect, data["user"], job_ids)
            _task_job(workspace, activity, JobAction.TASK_CREATE, job_ids)
        return {"type": "activity", "id": activity.pk, "prospect_id": prospect.pk}
    # An open activity ends: complete its Task, or create it now if none was ever queued.
    activity.state = ActivityState.COMPLETED
    for name in ACTIVITY_FIELDS:
        if data[name] not in (None, ""):
            setattr(activity, name, data[name])
    activity.save()
    has_task_job = activity.writeback_jobs.filter(action=JobAction.TASK_CREATE).exclude(status="cancelled").exists()
    if has_task_job:
        _task_job(workspace, activity, JobAction.TASK_COMPLETE, job_ids)
    else:
        _prospect_sync_ensure(workspace, prospect, activity.user, job_ids)
        _task_job(workspace, activity, JobAction.TASK_CREATE, job_ids)
    return {"type": "activity", "id": activity.pk, "prospect_id": prospect.pk}


def _blank(name: str):
    return None if name in ("started_at", "completed_at", "duration_seconds") else ""


def _task_job(workspace, activity: Activity, action: str, job_ids: list[int]) -> None:
    _job_create(
        job_ids,
        action=action,
        key=f"{action}:{activity.pk}",
        workspace=workspace,
        prospect=activity.prospect,
        activity=activity,
        user=activity.user,
    )


def _handle_opt_out(workspace, data, job_ids, settings_row) -> dict:
    from activities.services.writeback.optouts import optout_candidates

    prospect = _prospect_upsert(workspace, data["prospect"])
    optout = OptOut.objects.create(
        workspace=workspace, prospect=prospect, channel=data["channel"], occurred_at=data["occurred_at"]
    )
    candidates = optout_candidates(prospect=prospect)
    _job_create(
        job_ids,
        action=JobAction.OPTOUT_WRITE,
        key=f"optout_write:{optout.pk}",
        workspace=workspace,
        prospect=prospect,
        optout=optout,
        user=candidates[0] if candidates else None,
    )
    return {"type": "opt_out", "id": optout.pk, "prospect_id": prospect.pk}


_HANDLERS = {
    "prospect": _handle_prospect,
    "enrollment": _handle_enrollment,
    "activity": _handle_activity,
    "opt_out": _handle_opt_out,
}
