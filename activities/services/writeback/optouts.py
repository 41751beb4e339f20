"""SMS opt-outs: written as the rep who most recently had a task for the prospect, else its latest enroller.

When neither may edit the record the job is skipped, with each rep's reason recorded.

Schema drift gets the same refresh as the other writes (see drift.py): when Salesforce refuses the opt-out field
(deleted, hidden or made read-only, or its type changed since we cached it), the rep's describe is fetched again.
A field the fresh describe shows writable is written at once (with a value of its current type); one that is gone
or read-only for the rep is that rep's reason, naming the field, and when no rep can write it the job is skipped
with a link to the opt-out setting: the opt-out has nothing else to write, so it is not a failure to retry.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from activities.models import Activity, Enrollment, MatchReview, Prospect, WritebackJob
from activities.models.events import EnrollmentEvent
from activities.services.writeback import outcomes
from activities.services.writeback.context import BatchContext
from activities.services.writeback.drift import DRIFT_CODES
from activities.services.writeback.explain import settings_url
from activities.services.writeback.prospects import match_apply, prospects_lookup
from activities.services.writeback.recorder import RecordingClient
from activities.services.writeback.review import review_hold
from integrations.errors import FailWithReason, IntegrationError, ReconnectRequired
from integrations.selectors import connection_get_for_user
from mappings.compat import field_is_writable, field_lookup, fields_by_name
from mappings.selectors import crm_settings_get, opt_out_field_get

logger = logging.getLogger(__name__)
NO_EDIT_CODES = frozenset({"INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS", "INVALID_FIELD_FOR_INSERT_UPDATE",
                           "ENTITY_IS_LOCKED", "CANNOT_UPDATE_CONVERTED_LEAD"})  # fmt: skip
REFRESH_CODES = DRIFT_CODES | {"JSON_PARSER_ERROR", "INVALID_TYPE_ON_FIELD_IN_RECORD"}
"""Refusals of the field itself: gone, hidden, read-only, or given a value of the type our stale describe said."""
FIELD_CODE = "OPT_OUT_FIELD_UNWRITABLE"


def optout_candidates(*, prospect: Prospect) -> list:
    users = []
    last_task = (
        Activity.objects.filter(prospect=prospect).select_related("user").order_by("-received_at", "-id").first()
    )
    if last_task:
        users.append(last_task.user)
    last_enroll = (
        Enrollment.objects.filter(prospect=prospect, event=EnrollmentEvent.ENROLLED)
        .select_related("user")
        .order_by("-occurred_at", "-id")
        .first()
    )
    if last_enroll and last_enroll.user not in users:
        users.append(last_enroll.user)
    return users


def _value(field: dict | None):
    kind = (field or {}).get("type")
    if kind == "datetime":
        return timezone.now().isoformat()
    if kind == "date":
        return timezone.now().date().isoformat()
    return True


def optout_run(job: WritebackJob) -> None:
    prospect, workspace = job.prospect, job.workspace
    candidates = optout_candidates(prospect=prospect)
    if not candidates:
        return _skip(job, "NO_REP", "Nobody has worked this prospect yet, so there is no rep to write the opt-out as.")
    reasons: list[str] = []
    field_reasons = 0
    for user in candidates:
        connection = connection_get_for_user(workspace=workspace, user=user)
        if connection is None or not connection.is_usable:
            reasons.append(f"{user.email} has no working Salesforce connection")
            continue
        try:
            client = RecordingClient(connection)
        except ReconnectRequired as exc:
            reasons.append(f"{user.email}: {exc.message}")
            continue
        ctx = BatchContext(workspace=workspace, user=user, connection=connection, client=client,
                           settings=crm_settings_get(workspace=workspace))  # fmt: skip
        try:
            if not prospect.salesforce_id and prospect.review == MatchReview.HELD:
                return outcomes.settle_held(ctx, job)
            if not prospect.salesforce_id:
                lookup = prospects_lookup(ctx, [prospect])
                if prospect.pk in lookup.ambiguous:
                    # Several records could be this person: an opt-out on the wrong one is as bad as none, and
                    # skipping would lose it. Hold it for an admin to choose, whatever the creation setting says.
                    review_hold(prospect, lookup.ambiguous[prospect.pk])
                    return outcomes.settle_held(ctx, job)
                if prospect.pk not in lookup.matches:
                    return _skip(job, "NOT_IN_SALESFORCE", "The prospect is not in Salesforce; nothing to opt out.")
                match_apply(prospect, lookup.matches[prospect.pk])
            field_name = opt_out_field_get(workspace=workspace, sobject=prospect.salesforce_type)
            if not field_name:
                return _skip(job, "NO_OPT_OUT_FIELD", f"No SMS opt-out field is set for {prospect.salesforce_type}.",
                             fix_url=settings_url(workspace, "opt_out"))  # fmt: skip
            unwritable = _write(ctx, prospect, field_name)
        except FailWithReason as exc:
            if exc.code in NO_EDIT_CODES:
                reasons.append(f"{user.email} cannot edit it ({exc.code})")
                continue
            outcomes.settle_error(ctx, job, exc, call=client.last_call, sobject=prospect.salesforce_type or "Contact",
                                  section="opt_out")  # fmt: skip
            return None
        except IntegrationError as exc:
            outcomes.settle_error(ctx, job, exc, call=client.last_call)
            return None
        if unwritable:
            reasons.append(f"{user.email}: {unwritable}")
            field_reasons += 1
            continue
        WritebackJob.objects.filter(pk=job.pk).update(connection=connection)
        outcomes.settle_done(ctx, job, remote_id=prospect.salesforce_id,
                             message=f"Opted out as {user.email}.")  # fmt: skip
        return None
    if not field_reasons:
        return _skip(job, "NO_EDITOR", "No rep who can edit this record: " + "; ".join(reasons) + ".")
    field_name = opt_out_field_get(workspace=workspace, sobject=prospect.salesforce_type)
    message = (
        f"No rep can write the SMS opt-out field {field_name} on {prospect.salesforce_type}: "
        + "; ".join(reasons)
        + ". Choose another field in the SMS opt-out setting, or give the reps edit access to it in Salesforce."
    )
    code = FIELD_CODE if field_reasons == len(reasons) else "NO_EDITOR"
    return _skip(job, code, message, fix_url=settings_url(workspace, "opt_out"))


def _write(ctx: BatchContext, prospect: Prospect, field_name: str) -> str:
    """Set the opt-out field as this rep; "" once written, else why the rep cannot write it.

    A refusal of the field itself refreshes the rep's describe once and decides on it: the field is gone or
    read-only for them (their reason), or it is writable and goes again with a value of its current type."""
    sobject, record_id = prospect.salesforce_type, prospect.salesforce_id
    field = field_lookup(fields_by_name(ctx.describe(sobject)), field_name)
    try:
        ctx.client.update(sobject, record_id, {field_name: _value(field)})
        return ""
    except FailWithReason as exc:
        if exc.code not in REFRESH_CODES:
            raise
        refusal = exc
    fresh = ctx.describe_refresh(sobject)
    if fresh.error is not None:
        # Nothing new is known: a throttled or failed refresh goes again with the job; else the refusal stands.
        raise refusal if isinstance(fresh.error, FailWithReason) else fresh.error
    field = field_lookup(fields_by_name(fresh.payload), field_name)
    if field is None:
        return "the field no longer exists in Salesforce or is hidden from them"
    if not field_is_writable(field, update=True):
        return "the field is read-only for them"
    ctx.client.update(sobject, record_id, {field["name"]: _value(field)})  # a second refusal is final
    return ""


def _skip(job: WritebackJob, code: str, message: str, fix_url: str = "") -> None:
    from activities.models import AttemptOutcome
    from activities.services import ledger

    ledger.job_skip(job, code=code, message=message)
    if fix_url:
        WritebackJob.objects.filter(pk=job.pk).update(fix_url=fix_url)
    ledger.attempt_record(job=job, outcome=AttemptOutcome.SKIPPED, call=None, started=None, code=code,
                          message=message)  # fmt: skip
    logger.info("writeback.optout_skipped", extra={"job_id": job.pk, "code": code})
    return
