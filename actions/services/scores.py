"""Score write-back (update_account_fields): customer-success scores written to mapped Account fields.

Off unless the workspace opted in (read-only is the default posture). Each score name is mapped by an admin to an
Account field that the admin connection may edit (number, percent, currency, text or picklist). A request's rows
are merged per account, the last value of a score winning, checked like every other write, then cut into batches
of 200: each batch is one sObject Collections call and one job in the writeback ledger, with its own attempts.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from actions.checks import Problems, Refusal, id_normalise, value_check
from actions.models import ActionRun, ActionStatus, ScoreBatch, ScoreMapping, ScoreSettings
from actions.selectors import score_mappings, score_settings_get
from actions.services.context import ActionContext, connection_choose
from actions.services.execute import run_refused
from activities.models import AttemptOutcome, JobAction, JobStatus, WritebackJob
from activities.models.ledger import UNFINISHED_STATUSES
from activities.services import ledger
from activities.services.writeback import outcomes
from activities.services.writeback.claim import jobs_claim
from activities.services.writeback.recorder import RecordingClient
from integrations.errors import IntegrationError, ReconnectRequired
from integrations.providers.salesforce.client import COLLECTION_LIMIT
from integrations.providers.salesforce.errors import TRANSIENT_CODES
from mappings.compat import field_lookup, fields_by_name

SCORE_TYPES = frozenset({"double", "int", "percent", "currency", "string", "textarea", "picklist"})
"""Account field types a score may fill: number, percent, currency, text or picklist."""
ACCOUNT_PREFIX = "001"
POLL_S = 0.2


# -- settings (the admin page) -------------------------------------------------------------------------------------
def score_fields(describe: dict | None) -> list[dict]:
    """Account fields a score may be mapped to, for this user: the right type and editable by them."""
    return [
        f
        for f in (describe or {}).get("fields", [])
        if f.get("type") in SCORE_TYPES and f.get("updateable") and not f.get("calculated") and not f.get("autoNumber")
    ]


def mapping_check(describe: dict | None, name: str) -> str | None:
    """Why `name` cannot take scores, or None."""
    f = field_lookup(fields_by_name(describe), name)
    if f is None:
        return f"Account has no field {name} that the admin connection's user can see."
    if f.get("type") not in SCORE_TYPES:
        return (
            f"Account.{f['name']} is a {f.get('type')} field; scores go to number, percent, currency, text or picklist."
        )
    if not f.get("updateable") or f.get("calculated"):
        return f"Account.{f['name']} is read-only for the admin connection's user (field-level security)."
    return None


def score_settings_save(*, workspace, enabled: bool, mappings: dict[str, str], user) -> None:
    with transaction.atomic():
        ScoreSettings.objects.update_or_create(workspace=workspace, defaults={"enabled": enabled, "updated_by": user})
        ScoreMapping.objects.filter(workspace=workspace).exclude(score_name__in=list(mappings)).delete()
        for score_name, account_field in mappings.items():
            ScoreMapping.objects.update_or_create(
                workspace=workspace,
                score_name=score_name,
                defaults={"account_field": account_field, "updated_by": user},
            )


# -- planning ----------------------------------------------------------------------------------------------------
@dataclass
class ScorePlan:
    records: list[dict] = field(default_factory=list)
    """[{"id": account id, Field: value, …}], one per account, in first-seen order."""
    rows: int = 0

    @property
    def batches(self) -> list[list[dict]]:
        return [self.records[i : i + COLLECTION_LIMIT] for i in range(0, len(self.records), COLLECTION_LIMIT)]


def scores_plan(ctx: ActionContext, rows: list, *, mappings: dict[str, str]) -> ScorePlan:
    """Every row checked (account id, mapped score, value for its field); the last value per account wins."""
    describe = ctx.describe("Account")
    by_name = fields_by_name(describe)
    lowered = {k.lower(): v for k, v in mappings.items()}
    problems = Problems()
    merged: dict[str, dict] = {}
    for index, row in enumerate(rows):
        where = f"accounts[{index}]"
        try:
            account_id = id_normalise(row.account_id, name=f"{where}.account_id")
        except Refusal as exc:
            problems.add(f"{where}.account_id", exc.code, exc.message, index=index)
            continue
        if account_id[:3] != ACCOUNT_PREFIX:
            problems.add(
                f"{where}.account_id",
                "wrong_object",
                f"{account_id} is not an Account id (Account ids start with {ACCOUNT_PREFIX}).",
                index=index,
            )
            continue
        values = merged.setdefault(account_id, {})
        for score, value in row.scores.items():
            target = lowered.get(score.lower())
            if target is None:
                problems.add(
                    f"{where}.scores.{score}",
                    "unknown_score",
                    f"No Account field is mapped to the score "
                    f"“{score}”; an admin maps it under Actions › Score write-back.",
                    index=index,
                )
                continue
            f = field_lookup(by_name, target)
            if f is None or not f.get("updateable"):
                problems.add(
                    f"{where}.scores.{score}", "field_not_writable", mapping_check(describe, target) or "", index=index
                )
                continue
            scratch = Problems()
            checked = value_check(f, value, scratch, user=ctx.user_label, prefixes={})
            for item in scratch.items:
                problems.add(f"{where}.scores.{score}", item["code"], item["message"], index=index)
            if not scratch.items:
                values[f["name"]] = checked  # a later row for the same account overrides this one
    if problems.items:
        shown = problems.items[:200]
        raise Refusal(
            400,
            "invalid_scores",
            f"{len(problems.items)} score values cannot be written; nothing was "
            f"sent.{' The first 200 are listed.' if len(problems.items) > 200 else ''}",
            items=shown,
        )
    records = [{"id": account_id, **values} for account_id, values in merged.items() if values]
    return ScorePlan(records=records, rows=len(rows))


# -- starting and waiting ------------------------------------------------------------------------------------------
def scores_start(run: ActionRun, data, *, request=None) -> ActionRun:
    """Check the request and queue its batches (or, for a dry run, keep the plan); a Refusal is recorded."""
    try:
        settings_row = score_settings_get(workspace=run.workspace)
        if not settings_row.enabled:
            raise Refusal(
                403,
                "scores_disabled",
                "Score write-back is off for this workspace (the default: "
                "read-only). An admin turns it on under Actions › Score write-back.",
            )
        mappings = score_mappings(workspace=run.workspace)
        connection, _ = connection_choose(workspace=run.workspace, as_user=None, request=request)
        run.connection = connection
        ctx = ActionContext(workspace=run.workspace, connection=connection, request=request)
        plan = scores_plan(ctx, data.accounts, mappings=mappings)
    except Refusal as refusal:
        run_refused(run, refusal)
        run.input = {"accounts": len(data.accounts), "dry_run": data.dry_run}
        run.save()
        return run
    run.input = {"accounts": len(data.accounts), "dry_run": data.dry_run}  # the rows themselves are in the batches
    run.sobject = "Account"
    run.summary = f"{len(plan.records)} accounts from {plan.rows} rows, {len(plan.batches)} batches"[:255]
    summary = {
        "accounts": len(plan.records),
        "rows": plan.rows,
        "batches": len(plan.batches),
        "written": 0,
        "failed": [],
    }
    if data.dry_run:
        run.status, run.http_status, run.finished_at = ActionStatus.SUCCEEDED, 200, timezone.now()
        run.result = {**summary, "dry_run": True, "preview": plan.records[:20]}
        run.save()
        return run
    run.result = summary
    with transaction.atomic():
        run.save()
        now = timezone.now()
        jobs = WritebackJob.objects.bulk_create(
            [
                WritebackJob(
                    workspace=run.workspace,
                    connection=connection,
                    action=JobAction.ACTION_RUN,
                    next_attempt_at=now,
                    idempotency_key=f"scores:{uuid.uuid4().hex}",
                )
                for _ in plan.batches
            ]
        )
        ScoreBatch.objects.bulk_create(
            [ScoreBatch(run=run, job=job, records=batch) for job, batch in zip(jobs, plan.batches, strict=True)]
        )
    if not plan.batches:
        _finish(run)
    return run


def scores_wait(run: ActionRun, *, seconds: float) -> ActionRun:
    """Run the request's due batches here (through the claim) until all are done or `seconds` have passed."""
    from actions.services.execute import action_jobs_run

    deadline = time.monotonic() + max(0.0, seconds)
    while run.status == ActionStatus.PENDING:
        jobs = WritebackJob.objects.filter(score_batch__run=run)
        if not jobs.filter(status__in=UNFINISHED_STATUSES).exists():
            _finish(run)
            break
        due = list(
            jobs.filter(status=JobStatus.PENDING, next_attempt_at__lte=timezone.now()).values_list("pk", flat=True)
        )
        claimed = jobs_claim(workspace_id=run.workspace_id, user_id=None, ids=due) if due else []
        if claimed:
            action_jobs_run(claimed)
            continue
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_S)
    run.refresh_from_db()
    return run


def _finish(run: ActionRun) -> None:
    batches = list(run.score_batches.select_related("job"))
    failed = [f for b in batches for f in b.failures]
    lost = [b for b in batches if b.job.status == JobStatus.FAILED]
    for batch in lost:
        failed += [
            {"account_id": r["id"], "code": batch.job.last_error_code, "message": batch.job.last_error_message}
            for r in batch.records
        ]
    result = {
        **(run.result or {}),
        "written": sum(b.written for b in batches),
        "failed": failed[:1000],
        "failed_count": len(failed),
    }
    status = ActionStatus.FAILED if batches and len(lost) == len(batches) else ActionStatus.SUCCEEDED
    fields = {"status": status, "result": result, "finished_at": timezone.now(), "http_status": 200}
    if status == ActionStatus.FAILED:
        job = lost[0].job
        fields.update(
            http_status=503 if job.last_error_code in TRANSIENT_CODES else 400,
            error_code="scores_failed",
            salesforce_code=job.last_error_code,
            error_message=f"No batch could be written: {job.last_error_message}",
        )
    ActionRun.objects.filter(pk=run.pk, status=ActionStatus.PENDING).update(**fields)


# -- one batch (run by the ledger) ---------------------------------------------------------------------------------
def score_batch_run(batch: ScoreBatch, job: WritebackJob) -> None:
    started = timezone.now()
    run = batch.run
    connection = run.connection
    client = None
    try:
        client = RecordingClient(connection)
        results = client.collections_update([{"attributes": {"type": "Account"}, **r} for r in batch.records])
    except ReconnectRequired as exc:
        ledger.job_fail(job, code=exc.code or "RECONNECT_REQUIRED", message=exc.message)
        ledger.attempt_record(
            job=job, outcome=AttemptOutcome.RECONNECT, call=None, started=started, code=exc.code, message=exc.message
        )
        return _maybe_finish(run)
    except IntegrationError as exc:
        outcomes.settle_error(None, job, exc, call=client.last_call if client else None, started=started)
        return _maybe_finish(run)
    retry, failures, written = [], list(batch.failures), batch.written
    for record, result in zip(batch.records, results or [], strict=False):
        if result.get("success"):
            written += 1
            continue
        error = (result.get("errors") or [{}])[0]
        code = error.get("statusCode") or error.get("errorCode") or ""
        if code in TRANSIENT_CODES:
            retry.append(record)
        else:
            failures.append(
                {
                    "account_id": record["id"],
                    "code": code,
                    "message": error.get("message", ""),
                    "fields": error.get("fields") or [],
                }
            )
    ScoreBatch.objects.filter(pk=batch.pk).update(records=retry, written=written, failures=failures)
    message = f"{written} of the batch's accounts written, {len(failures)} refused, {len(retry)} to retry."
    if retry:
        outcome = ledger.job_retry(job, code="UNABLE_TO_LOCK_ROW", message=message)
        if outcome == AttemptOutcome.FAILED:
            ScoreBatch.objects.filter(pk=batch.pk).update(
                failures=failures
                + [
                    {"account_id": r["id"], "code": "UNABLE_TO_LOCK_ROW", "message": "Locked through every retry."}
                    for r in retry
                ],
                records=[],
            )
    else:
        ledger.job_succeed(job, message=message)
        outcome = AttemptOutcome.SUCCEEDED
    ledger.attempt_record(job=job, outcome=outcome, call=client.last_call, started=started, message=message)
    return _maybe_finish(run)


def _maybe_finish(run: ActionRun) -> None:
    if not WritebackJob.objects.filter(score_batch__run=run, status__in=UNFINISHED_STATUSES).exists():
        _finish(run)
