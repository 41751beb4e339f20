"""Task records for activities: mapped per kind, owned by the rep, idempotent on replay.

Idempotency: with an External ID field on Task (ours: its name contains "sb_activity" or "switchboard") every
create is an upsert keyed by our activity id. A marker goes into Description in every case: it is the key of orgs
without an External ID, and the fallback when the External ID field is deleted (its values go with it, so only the
marker can still find the Tasks written through it). A job that may have written before (any second try) first
looks its Task up, by External ID or, when the org has none (or no longer has it), by marker.
"""

from __future__ import annotations

import re

from simple_salesforce.format import format_soql

from activities.models import Activity, ActivityState, Enrollment
from activities.services.writeback.context import BatchContext
from integrations.errors import FailWithReason
from mappings import selectors as mapping_selectors
from mappings.payloads import ActivityData, task_payload_build

MARKER_RE = re.compile(r"\[switchboard:(\d+)-(\d+)\]")


def activity_key(activity: Activity) -> str:
    return f"{activity.workspace_id}-{activity.pk}"


def marker(activity: Activity) -> str:
    return f"[switchboard:{activity_key(activity)}]"


def _moment(activity: Activity):
    return activity.completed_at or activity.started_at or activity.received_at


def enrollments_load(activities: list[Activity]) -> dict[int, list[Enrollment]]:
    """Every enrollment of these activities' prospects, latest first, in one query (activity_data's `history`)."""
    history: dict[int, list[Enrollment]] = {a.prospect_id: [] for a in activities}
    if history:
        rows = Enrollment.objects.filter(prospect_id__in=history).order_by("-occurred_at", "-id")
        for enrollment in rows:
            history[enrollment.prospect_id].append(enrollment)
    return history


def activity_data(activity: Activity, *, completed: bool, history: list[Enrollment] | None = None) -> ActivityData:
    """`history`: the prospect's enrollments latest first, when the caller loaded a batch's at once."""
    moment = _moment(activity)
    if history is None:
        enrollment = (
            Enrollment.objects.filter(prospect_id=activity.prospect_id, occurred_at__lte=moment)
            .order_by("-occurred_at", "-id")
            .first()
        )
    else:
        enrollment = next((e for e in history if e.occurred_at <= moment), None)
    user = activity.user
    return ActivityData(
        kind=activity.kind,
        state="completed" if completed else "open",
        subject=activity.subject,
        body_excerpt=activity.body_excerpt,
        notes=activity.notes,
        sequence_name=enrollment.sequence_name if enrollment and enrollment.is_active else "",
        step_name=enrollment.step_name if enrollment and enrollment.is_active else "",
        recording_url=activity.recording_url,
        number_dialed=activity.number_dialed,
        disposition=activity.disposition,
        duration_seconds=activity.duration_seconds,
        occurred_at=(activity.completed_at if completed else None) or activity.started_at or activity.received_at,
        rep_name=getattr(user, "full_name", "") or user.get_username(),
        rep_email=user.email,
    )


def task_fields(ctx: BatchContext, activity: Activity, *, for_update: bool = False) -> tuple[dict, list[str]]:
    """Mapped fields plus engine defaults (Subject) and the idempotency key; no WhoId/WhatId/OwnerId. With them,
    the payload's warnings (a mapped field skipped, a value cut to length), which the job's attempt row records.

    `for_update` is the PATCH completing a Task written before: create-only fields (TaskSubtype) are left out,
    since Salesforce refuses the whole update over them, and so is the External ID, which the Task already has.
    """
    completed = activity.state == ActivityState.COMPLETED
    history = ctx.enrollments.get(activity.prospect_id) if ctx.enrollments is not None else None
    data = activity_data(activity, completed=completed, history=history)
    if activity.kind not in ctx.task_mappings:  # one read per kind and run, not one per activity
        rows = mapping_selectors.task_mapping_list(workspace=ctx.workspace, kind=activity.kind)
        ctx.task_mappings[activity.kind] = rows
    payload = task_payload_build(workspace=ctx.workspace, activity=data, task_describe=ctx.describe("Task"),
                                 mappings=ctx.task_mappings[activity.kind], for_update=for_update)  # fmt: skip
    fields = dict(payload.fields)
    if not fields.get("Subject"):
        label = activity.get_kind_display()
        fields["Subject"] = f"{label}: {activity.subject}"[:255] if activity.subject else label
    ext = ctx.task_external_id_field()
    if ext and not for_update:
        fields[ext] = activity_key(activity)
    fields["Description"] = f"{fields.get('Description') or ''}\n\n{marker(activity)}".strip()
    return fields, list(payload.warnings)


def tasks_find_written(ctx: BatchContext, activities: list[Activity]) -> dict[int, str]:
    """Tasks already in Salesforce for these activities, as activity id -> Task id.

    By External ID when the org has one, else by the marker in Description among the prospects' Tasks. A replay
    then completes or skips the Task it finds: an upsert would send create-only fields to an existing Task.
    """
    if not activities:
        return {}
    wanted = {activity_key(a): a.pk for a in activities}
    found: dict[int, str] = {}
    ext = ctx.task_external_id_field()
    if ext:
        try:
            return _find_by_external_id(ctx, ext, wanted)
        except FailWithReason as exc:
            # Deleted (or hidden) since we cached the describe: look again, and use the marker if it is gone.
            if exc.code != "INVALID_FIELD" or "Task" in ctx.refreshed:
                raise
            refresh = ctx.describe_refresh("Task")
            if refresh.error is not None or ctx.task_external_id_field() == ext:
                raise
            ext = ctx.task_external_id_field()
            if ext:  # another of ours took its place
                return _find_by_external_id(ctx, ext, wanted)
    who_ids = sorted({a.prospect.salesforce_id for a in activities if a.prospect.salesforce_id})
    if not who_ids:
        return {}
    soql = format_soql("SELECT Id, Description FROM Task WHERE WhoId IN {}", who_ids)
    for row in ctx.client.query_all_iter(soql):
        for match in MARKER_RE.finditer(row.get("Description") or ""):
            key = f"{match.group(1)}-{match.group(2)}"
            if key in wanted:
                found.setdefault(wanted[key], row["Id"])
    return found


def _find_by_external_id(ctx: BatchContext, ext: str, wanted: dict[str, int]) -> dict[int, str]:
    found: dict[int, str] = {}
    # ext is a field name from the org's describe, never user input.
    soql = format_soql("SELECT Id, {:literal} FROM Task WHERE {:literal} IN {}", ext, ext, sorted(wanted))
    for row in ctx.client.query_all_iter(soql):
        if row.get(ext) in wanted:
            found.setdefault(wanted[row[ext]], row["Id"])
    return found
