"""SMS opt-outs: written as the rep who most recently had a task for the prospect, else its latest enroller.

When neither may edit the record the job is skipped, with each rep's reason recorded.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from activities.models import Activity, Enrollment, Prospect, WritebackJob
from activities.models.events import EnrollmentEvent
from activities.services.writeback import outcomes
from activities.services.writeback.context import BatchContext, describe_for
from activities.services.writeback.explain import settings_url
from activities.services.writeback.prospects import match_apply, prospects_lookup
from activities.services.writeback.recorder import RecordingClient
from integrations.errors import FailWithReason, IntegrationError, ReconnectRequired
from integrations.selectors import connection_get_for_user
from mappings.selectors import crm_settings_get, opt_out_field_get

logger = logging.getLogger(__name__)
NO_EDIT_CODES = frozenset({"INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS", "INVALID_FIELD_FOR_INSERT_UPDATE",
                           "ENTITY_IS_LOCKED", "CANNOT_UPDATE_CONVERTED_LEAD"})  # fmt: skip


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
            if not prospect.salesforce_id:
                matches, _ = prospects_lookup(ctx, [prospect])
                if prospect.pk not in matches:
                    return _skip(job, "NOT_IN_SALESFORCE", "The prospect is not in Salesforce; nothing to opt out.")
                match_apply(prospect, matches[prospect.pk])
            field_name = opt_out_field_get(workspace=workspace, sobject=prospect.salesforce_type)
            if not field_name:
                return _skip(job, "NO_OPT_OUT_FIELD", f"No SMS opt-out field is set for {prospect.salesforce_type}.",
                             fix_url=settings_url(workspace, "opt_out"))  # fmt: skip
            describe = describe_for(connection=connection, sobject=prospect.salesforce_type, client=client)
            field = next((f for f in (describe or {}).get("fields", []) if f["name"] == field_name), None)
            client.update(prospect.salesforce_type, prospect.salesforce_id, {field_name: _value(field)})
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
        WritebackJob.objects.filter(pk=job.pk).update(connection=connection)
        outcomes.settle_done(ctx, job, remote_id=prospect.salesforce_id,
                             message=f"Opted out as {user.email}.")  # fmt: skip
        return None
    return _skip(job, "NO_EDITOR", "No rep who can edit this record: " + "; ".join(reasons) + ".")


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
