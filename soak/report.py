"""The figures, counted from outcomes: the sandbox's records and our ledger's account of every acknowledged event.

- activities: activity events acknowledged with 202 (the burst included).
- written: of those, the ones whose Task exists in the org (read from the Tasks' markers); `ledger_mismatch` counts
  the ones where the org and our ledger disagree (a Task the ledger does not know of, or the other way round).
- failed_with_reason: not written, and every job of it ended failed, skipped or cancelled with a message a person
  can act on (`failure_reasons` counts them by error code).
- lost: acknowledged and neither written nor failed with a reason: never stored, still unfinished when the soak gave
  up waiting (`unfinished` says how many of them), ended without a message, or recorded as written with no Task in
  the org.
- duplicated: activities with more than one live Task; `duplicated_prospects`: emails of the load with more than one
  live Contact or Lead.
- enrollments: the same for enrollment changes (jobs `sequence_update`), plus `remote_mismatch`: prospects whose
  every sequence write succeeded but whose Contact or Lead does not show the latest step sent.
- p50/p95_event_to_crm_s_steady: from the moment the event was first POSTed to its Task written (the ledger's
  `written_at`), over the steady load's written activities.
"""

from __future__ import annotations

from collections import Counter


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, int(round(q * len(ordered))) - 1)], 2)


def activities_figures(*, workspace_id: int, plan, poster, remote_tasks: Counter) -> dict:
    from activities.models import Activity, JobStatus, WritebackJob

    acked = [k for k, kind in poster.acked.items() if kind == "activity"]
    rows = {
        a.external_id: a
        for a in Activity.objects.filter(workspace_id=workspace_id, external_id__in=acked).only(
            "pk", "external_id", "salesforce_task_id", "written_at"
        )
    }
    jobs: dict[int, list[dict]] = {}
    for job in WritebackJob.objects.filter(activity__in=rows.values()).values(
        "activity_id", "status", "last_error_code", "last_error_message"
    ):
        jobs.setdefault(job["activity_id"], []).append(job)
    steady = {e["_key"] for e in plan.steady if e["_type"] == "activity"}
    figures = Counter()
    reasons, lost_how = Counter(), Counter()
    latencies = []
    ended = (JobStatus.FAILED, JobStatus.SKIPPED, JobStatus.CANCELLED)
    for key in acked:
        activity = rows.get(key)
        if activity is None:
            lost_how["never_stored"] += 1
            continue
        remote = remote_tasks.get(f"{workspace_id}-{activity.pk}", 0)
        figures["duplicated"] += remote > 1
        mine = jobs.get(activity.pk, [])
        if remote:
            figures["written"] += 1
            figures["ledger_mismatch"] += not activity.salesforce_task_id
            if key in steady and activity.written_at:
                latencies.append(activity.written_at.timestamp() - poster.sent[key])
            continue
        if activity.salesforce_task_id:
            figures["ledger_mismatch"] += 1
            lost_how["recorded_written_but_no_task"] += 1
            continue
        unfinished = [j for j in mine if j["status"] not in (*ended, JobStatus.SUCCEEDED)]
        failed = [j for j in mine if j["status"] in ended]
        if unfinished:
            lost_how[f"unfinished_{unfinished[0]['status']}"] += 1
        elif failed and all(j["last_error_message"].strip() for j in failed):
            figures["failed_with_reason"] += 1
            reasons[failed[-1]["last_error_code"] or "no code"] += 1
        else:
            lost_how["ended_without_reason" if failed else "no_job"] += 1
    return {
        "activities": len(acked),
        "written": figures["written"],
        "lost": sum(lost_how.values()),
        "duplicated": figures["duplicated"],
        "failed_with_reason": figures["failed_with_reason"],
        "failure_reasons": dict(reasons),
        "lost_detail": dict(lost_how),
        "unfinished": sum(v for k, v in lost_how.items() if k.startswith("unfinished")),
        "ledger_mismatch": figures["ledger_mismatch"],
        "p50_event_to_crm_s_steady": _percentile(latencies, 0.50),
        "p95_event_to_crm_s_steady": _percentile(latencies, 0.95),
        "steady_written": len(latencies),
    }


def enrollments_figures(*, workspace_id: int, plan, poster, remote_prospects: dict) -> dict:
    from activities.models import Enrollment, JobAction, JobStatus, WritebackJob

    acked = {k for k, kind in poster.acked.items() if kind == "enrollment"}
    rows = {e.step_name: e for e in Enrollment.objects.filter(workspace_id=workspace_id, step_name__in=acked)}
    statuses = dict(WritebackJob.objects.filter(enrollment__in=rows.values(), action=JobAction.SEQUENCE_UPDATE)
                    .values_list("enrollment__step_name", "status"))  # fmt: skip
    messages = dict(WritebackJob.objects.filter(enrollment__in=rows.values()).values_list(
        "enrollment__step_name", "last_error_message"))  # fmt: skip
    out = Counter()
    latest: dict[str, tuple] = {}
    clean: dict[str, bool] = {}
    for event in plan.steady:
        if event["_type"] != "enrollment" or event["_key"] not in acked:
            continue
        key, email = event["_key"], event["_email"]
        row, status = rows.get(key), statuses.get(key)
        if row is None or status is None:
            out["lost"] += 1
            continue
        if status == JobStatus.SUCCEEDED:
            out["written"] += 1
        elif status in (JobStatus.FAILED, JobStatus.SKIPPED, JobStatus.CANCELLED) and (messages.get(key) or "").strip():
            out["failed_with_reason"] += 1
        else:
            out["lost"] += 1
        clean[email] = clean.get(email, True) and status == JobStatus.SUCCEEDED
        if email not in latest or (row.occurred_at, row.pk) > latest[email][:2]:
            latest[email] = (row.occurred_at, row.pk, row.step_name)
    for email, (_at, _pk, step) in latest.items():
        records = remote_prospects.get(email.lower(), [])
        if clean.get(email) and not any(r.get("SB_Step__c") == step for r in records):
            out["remote_mismatch"] += 1
    return {"enrollments": len(acked), "written": out["written"], "failed_with_reason": out["failed_with_reason"],
            "lost": out["lost"], "remote_mismatch": out["remote_mismatch"]}  # fmt: skip


def duplicated_prospects(plan, remote_prospects: dict) -> int:
    return sum(len(remote_prospects.get(p["email"].lower(), [])) > 1 for p in plan.prospects)


def sync_figures(*, workspace_id: int) -> dict:
    from django.db.models import Count, Sum

    from sync.models import SyncRun

    runs = SyncRun.objects.filter(workspace_id=workspace_id)
    by_kind: dict[str, dict[str, int]] = {}
    for kind, status, n in runs.values_list("kind", "status").annotate(n=Count("id")):
        by_kind.setdefault(kind, {})[status] = n
    return {"runs": by_kind, "records_done": runs.aggregate(n=Sum("records_done"))["n"] or 0}
