"""Running an action's job: the writeback runner hands us the claimed jobs of kind `action_run` (see apps.py).

The ledger does what it does for every write: one claim holder at a time, an attempt row per try, backoff for
row locks and 5xx, a wait (not an attempt) for API budget. What is written is the action's plan, checked before
the job was created. A create whose earlier attempt may have reached Salesforce without its answer reaching us
looks for the record first, so a retry never writes it twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from actions.checks import Refusal
from actions.errors import translate
from actions.models import ActionRun, ActionStatus
from actions.soql import quote
from activities.models import AttemptOutcome, JobStatus, WritebackJob
from activities.services import ledger
from activities.services.writeback import outcomes
from activities.services.writeback.recorder import RecordingClient
from integrations.errors import IntegrationError, ReconnectRequired, RetryLater
from integrations.models import ConnectionStatus
from integrations.services.metadata import describe_get

logger = logging.getLogger(__name__)

UNKNOWN_OUTCOME_CODES = frozenset({"TIMEOUT", "CONNECTION_ERROR", "REQUEST_ERROR", "INTERNAL_ERROR", ""})
"""An attempt that ended with one of these may have written before its answer was lost."""


def action_jobs_run(jobs: list[WritebackJob]) -> None:
    for job in jobs:
        try:
            _run(job)
        except Exception:  # one broken action must not strand the others; the ledger retries it
            logger.exception("actions.job_crashed", extra={"job_id": job.pk})
            ledger.job_retry(job, code="INTERNAL_ERROR", message="Unexpected error running the action; see the log.")


def _run(job: WritebackJob) -> None:
    run = ActionRun.objects.select_related("connection", "workspace").filter(job=job).first()
    if run is None:
        from actions.models import ScoreBatch
        from actions.services.scores import score_batch_run

        batch = ScoreBatch.objects.select_related("run__connection", "run__workspace").filter(job=job).first()
        if batch is not None:
            score_batch_run(batch, job)
            return
        ledger.job_skip(job, code="NO_ACTION", message="The action this job belonged to was deleted.")
        return
    started = timezone.now()
    plan, connection = run.plan, run.connection
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        _fail_reconnect(run, job, started, "the connection was removed or needs reconnecting")
        return
    try:
        client = RecordingClient(connection)
    except ReconnectRequired as exc:
        _fail_reconnect(run, job, started, exc.message)
        return
    try:
        if plan["op"] == "create":
            record_id = _written_before(client, run, job) or client.create(plan["sobject"], plan["fields"])["id"]
        else:
            client.update(plan["sobject"], plan["record_id"], plan["fields"])
            record_id = plan["record_id"]
    except ReconnectRequired as exc:
        _fail_reconnect(run, job, started, exc.message, call=client.last_call)
        return
    except IntegrationError as exc:
        outcomes.settle_error(None, job, exc, call=client.last_call, started=started)
        status = WritebackJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status == JobStatus.FAILED:
            describe = describe_get(connection=connection, sobject=plan["sobject"], client=client).payload
            refusal = translate(
                code=exc.code,
                message=exc.message,
                fields=exc.fields,
                sobject=plan["sobject"],
                describe=describe,
                user=connection.remote_username or "the connected user",
                transient=isinstance(exc, RetryLater),
            )
            run_refused(run, refusal, status=ActionStatus.FAILED)
        return
    ledger.job_succeed(job, remote_id=record_id, message=f"{plan['sobject']} {record_id}")
    ledger.attempt_record(job=job, outcome=AttemptOutcome.SUCCEEDED, call=client.last_call, started=started)
    ActionRun.objects.filter(pk=run.pk).update(
        status=ActionStatus.SUCCEEDED,
        record_id=record_id,
        http_status=200,
        finished_at=timezone.now(),
        error_code="",
        salesforce_code="",
        error_message="",
        error_items=[],
    )


def run_refused(run: ActionRun, refusal: Refusal, *, status: str = ActionStatus.REFUSED) -> None:
    body = refusal.body()["error"]
    fields = {
        "status": status,
        "http_status": refusal.status,
        "error_code": refusal.code,
        "error_message": refusal.message,
        "salesforce_code": refusal.salesforce_code,
        "error_items": body.get("items", []),
        "finished_at": timezone.now(),
    }
    for name, value in fields.items():
        setattr(run, name, value)
    if run.pk:
        ActionRun.objects.filter(pk=run.pk).update(**fields)


def _fail_reconnect(run: ActionRun, job: WritebackJob, started, reason: str, *, call=None) -> None:
    # An API caller was told; a write that silently lands days later, once someone reconnects, would surprise
    # them more than a clear refusal they can send again.
    from actions.services.context import integrations_link

    link = integrations_link(run.workspace)
    message = f"Salesforce no longer accepts this connection ({reason}); reconnect it on the Integrations page."
    ledger.job_fail(job, code="RECONNECT_REQUIRED", message=message, fix_url=link)
    ledger.attempt_record(
        job=job,
        outcome=AttemptOutcome.RECONNECT,
        call=call,
        started=started,
        code="RECONNECT_REQUIRED",
        message=message,
    )
    run_refused(
        run,
        Refusal(409, "reconnect_required", f"{message} {link}", link=link, salesforce_code="INVALID_SESSION_ID"),
        status=ActionStatus.FAILED,
    )


def _written_before(client: RecordingClient, run: ActionRun, job: WritebackJob) -> str:
    """The record an earlier attempt created, when that attempt's answer never came back; else ""."""
    if job.attempts <= 1:
        return ""
    previous = job.attempt_rows.order_by("-number", "-id").first()
    if previous is not None and previous.error_code not in UNKNOWN_OUTCOME_CODES:
        return ""  # Salesforce answered: it refused, so nothing was written
    find = run.plan.get("find") or {}
    owner = run.connection.remote_user_id
    if not find or not owner:
        return ""
    since = (run.created_at - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    where = [f"CreatedById = {quote(owner)}", f"CreatedDate >= {since}"]
    for name, value in find.items():
        where.append(f"{name} = {value}" if name.endswith("DateTime") else f"{name} = {quote(str(value))}")
    # Names are our plan's (checked against describe), values quoted: nothing of the caller's is pasted in.
    soql = f"SELECT Id FROM {run.plan['sobject']} WHERE {' AND '.join(where)} ORDER BY CreatedDate DESC LIMIT 1"  # noqa: S608
    records = client.query(soql).get("records") or []
    return records[0]["Id"] if records else ""
