"""Starting an action: choose the connection, check everything before the call, then hand the write to the
ledger as a job and wait (up to `wait` seconds) for its outcome.

The job is committed before anything is sent, so a web process that dies mid-call leaves a job the workers
finish. The request itself then claims and runs its job through the same claim the workers use (one holder at a
time), and again when a retry comes due while it still waits; what is left when the wait is over is the
workers' (the scheduled drain), and the caller follows the status URL.
"""

from __future__ import annotations

import time
import uuid

from django.db import transaction
from django.utils import timezone

from actions.checks import Refusal
from actions.models import ActionName, ActionRun, ActionStatus
from actions.plans import PLANNERS
from actions.services.context import ActionContext, connection_choose
from actions.services.execute import run_refused
from activities.models import JobAction, JobStatus, WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES
from activities.services.writeback.claim import jobs_claim
from activities.services.writeback.runner import JOB_RUNNERS

POLL_S = 0.2
_SECRET_KEYS = ("wait",)


def _input(data) -> dict:
    return data.model_dump(mode="json", exclude=set(_SECRET_KEYS))


def action_record(
    *, workspace, name: str, data, api_key=None, started_by=None, idempotency_key: str = "", request_hash: str = ""
) -> ActionRun:
    """An unsaved row for this request (saved once we know how it went)."""
    return ActionRun(
        workspace=workspace,
        name=name,
        api_key=api_key,
        started_by=started_by,
        input=_input(data),
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )


def action_start(run: ActionRun, data, *, request=None) -> ActionRun:
    """Check and enqueue a write action (create_task, update_opportunity, log_meeting). A Refusal is recorded on
    the run (status refused) and returned in it; nothing is sent then."""
    try:
        connection, member = connection_choose(workspace=run.workspace, as_user=data.as_user, request=request)
        run.connection, run.as_user = connection, member
        ctx = ActionContext(workspace=run.workspace, connection=connection, member=member, request=request)
        try:
            plan = PLANNERS[run.name](ctx, data)
        except Refusal as refusal:
            if not ctx.stale_for(refusal):
                raise
            ctx.refresh()  # a field added or unlocked in Setup since our copy: ask Salesforce once more
            plan = PLANNERS[run.name](ctx, data)
    except Refusal as refusal:
        run_refused(run, refusal)
        run.save()
        return run
    run.plan, run.sobject, run.summary = plan.as_dict(), plan.sobject, plan.summary[:255]
    run.record_id = plan.record_id
    with transaction.atomic():
        run.job = WritebackJob.objects.create(
            workspace=run.workspace,
            user=member,
            connection=run.connection,
            action=JobAction.ACTION_RUN,
            next_attempt_at=timezone.now(),
            idempotency_key=f"action:{uuid.uuid4().hex}",
        )
        run.save()
    return run


def action_wait(run: ActionRun, *, seconds: float) -> ActionRun:
    """Run the job when it is due and wait for it to finish, at most `seconds`; the run as it then stands."""
    deadline = time.monotonic() + max(0.0, seconds)
    while run.job_id:
        job = WritebackJob.objects.filter(pk=run.job_id).first()
        if job is None or job.status not in UNFINISHED_STATUSES:
            break
        if job.status == JobStatus.PENDING and job.next_attempt_at <= timezone.now():
            claimed = jobs_claim(workspace_id=job.workspace_id, user_id=job.user_id, ids=[job.pk])
            if claimed:
                JOB_RUNNERS[JobAction.ACTION_RUN](claimed)
                continue
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    run.refresh_from_db()
    return run


def action_run_body(run: ActionRun, *, status_url: str) -> tuple[int, dict]:
    """(HTTP status, body) for the run as it stands: 200 done, 4xx refused or failed, 202 still going."""
    data = {"action_id": run.pk, "action": run.name, "status": run.status, "attempts": run.attempts}
    if run.status == ActionStatus.SUCCEEDED and run.name == ActionName.UPDATE_ACCOUNT_FIELDS:
        return 200, {"data": {**data, "object": "Account", **(run.result or {})}}
    if run.status == ActionStatus.SUCCEEDED:
        link = _link(run)
        return 200, {"data": {**data, "id": run.record_id, "object": run.sobject, "link": link}}
    if run.status in (ActionStatus.REFUSED, ActionStatus.FAILED):
        error = {"code": run.error_code, "message": run.error_message, "action_id": run.pk}
        if run.salesforce_code:
            error["salesforce_code"] = run.salesforce_code
        if run.error_items:
            error["items"] = run.error_items
        return run.http_status or 400, {"error": error}
    job = run.job or WritebackJob.objects.filter(score_batch__run=run, status__in=UNFINISHED_STATUSES).first()
    message = "Salesforce has not answered yet; follow status_url."
    if job is not None and job.status == JobStatus.WAITING_BUDGET:
        message = f"Waiting for the org's API budget ({job.last_error_message}); it runs by itself when budget returns."
    elif job is not None and job.last_error_code:
        message = f"Retrying after {job.last_error_code}: {job.last_error_message}"
    return 202, {
        "data": {**data, "status_url": status_url, "message": message, "job_status": job.status if job else None}
    }


def _link(run: ActionRun) -> str:
    if not (run.connection_id and run.record_id):
        return ""
    return f"{run.connection.instance_url.rstrip('/')}/lightning/r/{run.sobject}/{run.record_id}/view"


def action_names() -> list[str]:
    return [c for c, _ in ActionName.choices]
