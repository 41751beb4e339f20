"""One batch run: claim a rep's due jobs, look prospects up, write everything in as few calls as possible,
then settle each job from its own record's result."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Value, When
from django.utils import timezone

from activities import conf
from activities.models import (
    Activity,
    ActivityState,
    JobAction,
    JobStatus,
    MatchReview,
    Prospect,
    SalesforceType,
    WritebackJob,
)
from activities.services import ledger
from activities.services.writeback import outcomes
from activities.services.writeback.claim import jobs_claim
from activities.services.writeback.context import BatchContext, budget_exceeded, usage_is_stale
from activities.services.writeback.drift import drift_resend, key_refused
from activities.services.writeback.enqueue import (
    writeback_continue,
    writeback_continue_on_commit,
    writeback_wake_dependents_on_commit,
)
from activities.services.writeback.optouts import optout_run
from activities.services.writeback.prospects import creation_steps, match_apply, prospects_lookup
from activities.services.writeback.recorder import RecordingClient
from activities.services.writeback.review import review_hold
from activities.services.writeback.sequences import sequence_state
from activities.services.writeback.steps import ItemResult, Ref, Step, steps_execute
from activities.services.writeback.task_writes import enrollments_load, task_fields, tasks_find_written
from integrations.errors import ApiLimitReached, IntegrationError, NotConnected, ReconnectRequired
from integrations.selectors import connection_get_for_user
from mappings.payloads import sequence_fields_build
from mappings.selectors import crm_settings_get
from mappings.types import AmbiguousMatch
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

JOB_RUNNERS: dict = {}
"""Job action -> callable(jobs) for jobs another app owns (actions/apps.py registers `action_run`): the claim,
lease, attempts and backoff stay here; what is written is theirs."""


def writeback_batch_run(*, workspace_id: int, user_id: int | None, now=None) -> dict:
    # A full claim queues the next run at once (another worker claims the next chunk while this one writes); a run
    # that settled something runs again on commit if more of the rep's jobs became due meanwhile (see enqueue).
    jobs = jobs_claim(workspace_id=workspace_id, user_id=user_id, now=now,
                      on_full=lambda: writeback_continue(workspace_id=workspace_id, user_id=user_id))  # fmt: skip
    if not jobs:
        return {"claimed": 0}
    hooked = [j for j in jobs if j.action in JOB_RUNNERS]
    jobs = [j for j in jobs if j.action not in JOB_RUNNERS]
    for action in {j.action for j in hooked}:
        try:
            JOB_RUNNERS[action]([j for j in hooked if j.action == action])
        except Exception:  # one broken kind of job must not strand the others
            logger.exception("writeback.hooked_run_crashed", extra={"action": action})
    optout_jobs = [j for j in jobs if j.action == JobAction.OPTOUT_WRITE]
    jobs = [j for j in jobs if j.action != JobAction.OPTOUT_WRITE]
    calls = 0
    if jobs:
        calls = _run_as_rep(jobs, workspace_id=workspace_id, user_id=user_id)
    for job in optout_jobs:
        try:
            optout_run(job)
        except Exception:  # one broken opt-out must not strand the others
            logger.exception("writeback.optout_crashed", extra={"job_id": job.pk})
            ledger.job_retry(job, code="INTERNAL_ERROR", message="Unexpected error; see the server log.")
    settled = [j.pk for j in [*hooked, *jobs, *optout_jobs]]
    writeback_wake_dependents_on_commit(workspace_id=workspace_id, user_id=user_id,
                                        job_ids=[j.pk for j in [*jobs, *optout_jobs]])  # fmt: skip
    if now is None:  # (a run "as of" another time is the drain's or a test's: it decides what runs next)
        writeback_continue_on_commit(workspace_id=workspace_id, user_id=user_id, job_ids=settled)
    return {"claimed": len(jobs) + len(optout_jobs) + len(hooked), "api_calls": calls}


def _run_as_rep(jobs: list[WritebackJob], *, workspace_id: int, user_id: int | None) -> int:
    workspace = Workspace.objects.get(pk=workspace_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    connection = connection_get_for_user(workspace=workspace, user=user) if user else None
    try:
        if connection is None:
            raise ReconnectRequired(
                f"{getattr(user, 'email', 'This rep')} has not connected Salesforce yet; their writes start once "
                "they connect.",
                code="NOT_CONNECTED",
            )
        client = RecordingClient(connection)
    except (ReconnectRequired, NotConnected) as exc:
        for job in jobs:
            outcomes.settle_error(None, job, ReconnectRequired(exc.message, code=exc.code or "RECONNECT_REQUIRED"))
        return 0
    WritebackJob.objects.filter(pk__in=[j.pk for j in jobs]).update(connection=connection)
    settings_row = crm_settings_get(workspace=workspace)
    ctx = BatchContext(workspace=workspace, user=user, connection=connection, client=client, settings=settings_row)
    try:
        if _over_budget(ctx):
            exc = ApiLimitReached(
                f"The org is above {settings_row.api_budget_percent}% of its daily API allocation; writes resume "
                "when usage drops.",
                code="API_BUDGET",
                retry_after=conf.get("BUDGET_WAIT_S"),
            )
            for job in jobs:
                outcomes.settle_error(ctx, job, exc)
            return len(client.calls)
        _run_batch(ctx, jobs)
    except IntegrationError as exc:
        for job in jobs:
            outcomes.settle_error(ctx, job, exc, call=client.last_call)
    except Exception:
        logger.exception("writeback.batch_crashed", extra={"workspace_id": workspace_id, "user_id": user_id})
        for job in jobs:
            if job.pk not in ctx.settled:
                outcomes.settle_error(ctx, job, _internal())
    finally:
        for job in jobs:
            if job.pk not in ctx.settled:
                ledger.job_defer(job)
    return len(client.calls)


def _internal():
    from integrations.errors import RetryLater

    return RetryLater("Unexpected error in the writeback engine; see the server log.", code="INTERNAL_ERROR")


def _over_budget(ctx: BatchContext) -> bool:
    percent = ctx.settings.api_budget_percent or 80
    over, _ = budget_exceeded(connection=ctx.connection, percent=percent)
    if over and usage_is_stale(ctx.connection, max_age=timedelta(seconds=60)):
        ctx.client.limits()  # one call refreshes Sforce-Limit-Info: the rolling window may have freed budget
        over, _ = budget_exceeded(connection=ctx.connection, percent=percent)
    return over


def _run_batch(ctx: BatchContext, jobs: list[WritebackJob]) -> None:
    prospects: dict[int, Prospect] = {}
    for job in jobs:
        prospects.setdefault(job.prospect_id, job.prospect)
    for job in jobs:
        job.prospect = prospects[job.prospect_id]  # one instance per prospect, so updates are seen by all jobs

    # 1. Find: one lookup for every prospect this batch needs and we cannot place yet. A prospect held for review
    # (several records match, the admin asked to choose) is not looked up again: its jobs wait for the choice.
    # One the admin said is none of the records found is created without looking again.
    held = {pid for pid, p in prospects.items() if not p.salesforce_id and p.review == MatchReview.HELD}
    unresolved = [p for pid, p in prospects.items()
                  if not p.salesforce_id and pid not in held and p.review != MatchReview.CREATE_NEW]  # fmt: skip
    accounts: dict[str, str] = {}
    if unresolved:
        lookup = prospects_lookup(ctx, unresolved)
        accounts = lookup.accounts
        for p in unresolved:
            if p.pk in lookup.matches:
                match_apply(p, lookup.matches[p.pk])
            elif p.pk in lookup.ambiguous and ctx.settings.ambiguous_match == AmbiguousMatch.REVIEW:
                review_hold(p, lookup.ambiguous[p.pk])
                held.add(p.pk)
    if held:
        for job in [j for j in jobs if j.prospect_id in held]:
            outcomes.settle_held(ctx, job)
        jobs = [j for j in jobs if j.prospect_id not in held]
        prospects = {pid: p for pid, p in prospects.items() if pid not in held}
    to_create = [p for p in prospects.values() if not p.salesforce_id]

    # 2. Plan every write of the batch as steps; Refs tie Tasks and sequence fields to records created here.
    steps, planned = creation_steps(ctx, to_create, accounts)
    who: dict[int, Ref | str] = {pid: p.salesforce_id for pid, p in prospects.items() if p.salesforce_id}
    what: dict[int, Ref | str] = {}
    kind: dict[int, str] = {pid: p.salesforce_type for pid, p in prospects.items() if p.salesforce_id}
    for pid, plan in planned.items():
        who[pid], kind[pid] = plan.ref, plan.sobject
        if plan.account:
            what[pid] = plan.account
    for pid, p in prospects.items():
        if p.salesforce_id and p.salesforce_type == SalesforceType.CONTACT and p.salesforce_account_id:
            what[pid] = p.salesforce_account_id

    seq_step = Step("sequence", "update")
    seq_jobs: dict[int, list[WritebackJob]] = defaultdict(list)
    seq_refs: dict[int, Ref] = {}
    for job in jobs:
        if job.action == JobAction.SEQUENCE_UPDATE:
            seq_jobs[job.prospect_id].append(job)
    for pid, pjobs in seq_jobs.items():
        sobject, notes = kind[pid], []
        fields = sequence_fields_build(workspace=ctx.workspace, sobject=sobject, enrollment=sequence_state(
            prospects[pid]), describe=ctx.describe(sobject), warnings=notes)  # fmt: skip
        if not fields:
            message = " ".join([f"No sequence fields are mapped for {sobject}.", *notes])
            skipped = outcomes.skipped_fields(notes, sobject=sobject)
            for job in pjobs:
                outcomes.settle_done(ctx, job, status=JobStatus.SKIPPED, message=message, skipped=skipped)
            continue
        seq_refs[pid] = seq_step.add({"_type": sobject, "id": who[pid], **fields}, notes=notes)

    task_steps, update_step, task_jobs, update_jobs = _task_steps(ctx, jobs, prospects, who, what, kind)
    all_steps = [*steps, seq_step, *task_steps, update_step]
    results = drift_resend(ctx, all_steps, steps_execute(ctx.client, all_steps))

    # 3. Settle: prospects first (their ids are what later records pointed at), then the rest. The outcomes are
    # worked out first, then written in one transaction of a few statements for the whole batch: if the worker
    # dies before it commits, the claims simply expire and the replay is idempotent.
    try:
        with ledger.jobs_settle_together():
            written: dict[int, str] = {}
            _settle_all(ctx, jobs, planned, results, seq_refs, seq_jobs, kind, task_jobs, update_jobs, written)
            ledger.write_later(lambda: _activities_written(written))
    except Exception:
        ctx.settled.clear()  # nothing was written: the caller retries the jobs (a replay finds what was written)
        raise


def _activities_written(written: dict[int, str]) -> None:
    """Activity id -> Task id, recorded with one UPDATE per chunk."""
    now, ids = timezone.now(), sorted(written)
    for start in range(0, len(ids), ledger.FLUSH_CHUNK):
        chunk = ids[start : start + ledger.FLUSH_CHUNK]
        task_id = Case(*[When(pk=pk, then=Value(written[pk])) for pk in chunk], output_field=CharField())
        Activity.objects.filter(pk__in=chunk).update(salesforce_task_id=task_id, written_at=now)


def _settle_all(ctx, jobs, planned, results, seq_refs, seq_jobs, kind, task_jobs, update_jobs, written) -> None:
    for pid, plan in planned.items():
        result = results.get((plan.ref.step, plan.ref.index)) or ItemResult(False, code="NOT_SENT", deferred=True)
        if result.ok:
            account = plan.account
            account_id = account if isinstance(account, str) else _id(results, account)
            match_apply(plan.prospect, _Created(result.id, plan.sobject, account_id))
        for job in [j for j in jobs if j.prospect_id == pid and j.action == JobAction.PROSPECT_SYNC]:
            outcomes.settle(ctx, job, result, sobject=plan.sobject, section="creation")
    for job in jobs:
        if job.action == JobAction.PROSPECT_SYNC and job.pk not in ctx.settled and job.prospect.salesforce_id:
            outcomes.settle_done(ctx, job, remote_id=job.prospect.salesforce_id,
                                 message=f"Matched: {job.prospect.get_matched_by_display()}.")  # fmt: skip
    for pid, ref in seq_refs.items():
        for job in seq_jobs[pid]:
            outcomes.settle(ctx, job, results[(ref.step, ref.index)], sobject=kind[pid], section="sequence")
    for ref, (activity, ajobs) in task_jobs.items():
        _settle_tasks(ctx, activity, ajobs, results.get((ref.step, ref.index)), written=written)
    for ref, (activity, ajobs) in update_jobs.items():
        _settle_tasks(ctx, activity, ajobs, results.get((ref.step, ref.index)), updating=True, written=written)


class _Created:
    matched_by = "created"

    def __init__(self, record_id: str, sobject: str, account_id: str):
        self.id, self.type, self.account_id = record_id, sobject, account_id or ""


def _id(results, ref: Ref) -> str:
    result = results.get((ref.step, ref.index))
    return result.id if result and result.ok else ""


def _task_steps(ctx, jobs, prospects, who, what, kind):
    """Tasks to create (or upsert) and to complete, one record per activity however many jobs it has."""
    ext = ctx.task_external_id_field()
    by_activity: dict[int, list[WritebackJob]] = defaultdict(list)
    activities: dict[int, Activity] = {}
    for job in jobs:
        if job.action in (JobAction.TASK_CREATE, JobAction.TASK_COMPLETE):
            by_activity[job.activity_id].append(job)
            activities[job.activity_id] = job.activity
    for activity in activities.values():
        activity.prospect = prospects[activity.prospect_id]
    ctx.enrollments = enrollments_load(list(activities.values()))
    # A job on its second try may have written before dying: look for its Task first (by External ID or marker).
    suspects = [a for a in activities.values() if not a.salesforce_task_id and (ext or a.prospect.salesforce_id)
                and any(j.attempts > 1 for j in by_activity[a.pk])]  # fmt: skip
    for activity_id, task_id in tasks_find_written(ctx, suspects).items():
        activities[activity_id].salesforce_task_id = task_id
        Activity.objects.filter(pk=activity_id).update(salesforce_task_id=task_id)
    ext = ctx.task_external_id_field()  # the lookup may have found the field deleted: then the marker is the key
    op = "upsert" if ext else "create"
    # Tasks of prospects created in this batch go apart: if one creation fails, only their subrequest halts.
    create = Step("tasks", op, sobject="Task", ext_field=ext)
    create_new = Step("tasks_new", op, sobject="Task", ext_field=ext)
    update = Step("task_updates", "update")
    task_jobs: dict[Ref, tuple[Activity, list[WritebackJob]]] = {}
    update_jobs: dict[Ref, tuple[Activity, list[WritebackJob]]] = {}
    owner = ctx.connection.remote_user_id
    for activity_id, ajobs in by_activity.items():
        activity = activities[activity_id]
        pid = activity.prospect_id
        if activity.salesforce_task_id:
            creates = [j for j in ajobs if j.action == JobAction.TASK_CREATE]
            for job in creates:
                outcomes.settle_done(ctx, job, remote_id=activity.salesforce_task_id, message="Task already written.")
            rest = [j for j in ajobs if j.pk not in ctx.settled]
            if not rest:
                continue
            if activity.state != ActivityState.COMPLETED:
                for job in rest:
                    outcomes.settle_done(ctx, job, remote_id=activity.salesforce_task_id)
                continue
            fields, notes = task_fields(ctx, activity, for_update=True)
            ref = update.add({"_type": "Task", "id": activity.salesforce_task_id, **fields}, notes=notes)
            update_jobs[ref] = (activity, rest)
            continue
        record, notes = task_fields(ctx, activity)
        record["WhoId"] = who[pid]
        if kind.get(pid) == SalesforceType.CONTACT and what.get(pid):
            record["WhatId"] = what[pid]
        if owner:
            record["OwnerId"] = owner
        step = create_new if isinstance(who[pid], Ref) else create
        task_jobs[step.add(record, notes=notes)] = (activity, ajobs)
    return [create, create_new], update, task_jobs, update_jobs


def _settle_tasks(ctx, activity: Activity, jobs: list[WritebackJob], result: ItemResult | None, *,
                  updating: bool = False, written: dict[int, str]) -> None:  # fmt: skip
    """`written` collects activity id -> Task id of what was written (recorded by the caller, in one go)."""
    result = result or ItemResult(False, code="NOT_SENT", message="Not sent.", deferred=True)

    def on_written() -> None:
        activity.salesforce_task_id = written[activity.pk] = result.id or activity.salesforce_task_id

    for n, job in enumerate(jobs):
        outcomes.settle(ctx, job, result, sobject="Task", section="task_update" if updating else "task",
                        on_success=on_written if n == 0 else None)  # fmt: skip
    if result.ok or result.code not in outcomes_deleted_codes() or key_refused(result):
        return  # (a refused External ID field says nothing about the Task or its prospect)
    if updating:
        # The open Task was deleted in Salesforce: forget it so a retry writes the activity as a new Task.
        ledger.write_later(lambda: Activity.objects.filter(pk=activity.pk).update(salesforce_task_id=""))
    elif "WhoId" in (result.fields or ["WhoId"]):
        # The Contact/Lead is gone: forget it so a retry finds or creates the prospect again.
        ledger.write_later(lambda: Prospect.objects.filter(pk=activity.prospect_id).update(
            salesforce_id="", salesforce_type="", matched_by=""))  # fmt: skip


def outcomes_deleted_codes():
    from activities.services.writeback.explain import DELETED_CODES

    return DELETED_CODES
