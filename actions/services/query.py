"""query_records: a read, so it runs in the request (there is nothing to do exactly once), recorded like every
other action."""

from __future__ import annotations

from django.utils import timezone

from actions.checks import Refusal
from actions.models import ActionRun, ActionStatus
from actions.services.context import ActionContext, connection_choose
from actions.services.execute import run_refused
from actions.soql import build, cursor_check
from integrations.errors import IntegrationError, ReconnectRequired, RetryLater


def _clean(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        out[key] = _clean(value) if isinstance(value, dict) else value
    return out


def records_query(run: ActionRun, data, *, request=None) -> ActionRun:
    """Run the query (or the next page) and record it; `run.result` is the page, or a Refusal is recorded."""
    try:
        connection, member = connection_choose(workspace=run.workspace, as_user=data.as_user, request=request)
        run.connection, run.as_user = connection, member
        ctx = ActionContext(workspace=run.workspace, connection=connection, member=member, request=request)
        headers = {"Sforce-Query-Options": f"batchSize={data.page_size}"}
        if data.cursor:
            locator = cursor_check(data.cursor)
            path = f"/query/{locator}"
            run.summary = f"Next page {locator}"
            params = None
        else:
            if not data.object:
                raise Refusal(
                    400, "required", "object is required (or a cursor from a previous page).", fields=["object"]
                )
            global_names = {o["name"].lower(): o for o in ctx.describe("").get("sobjects", [])}
            entry = global_names.get(data.object.lower())
            if entry is None or not entry.get("queryable", True):
                raise Refusal(
                    400,
                    "unknown_object",
                    f"The org has no queryable object {data.object} that {ctx.user_label} can see.",
                    fields=["object"],
                )
            soql = build(
                describe=ctx.describe(entry["name"]),
                sobject=entry["name"],
                fields=data.fields,
                filters=data.filters,
                order_by=data.order_by,
                limit=data.limit,
            )
            path, params = "/query/", {"q": soql}
            run.sobject, run.summary = entry["name"], soql[:255]
            run.plan = {"soql": soql}
        try:
            page = ctx.client.request_json("GET", path, params=params, headers=headers)
        except IntegrationError as exc:
            from actions.errors import translate

            if exc.code == "INVALID_QUERY_LOCATOR":
                raise Refusal(
                    400,
                    "invalid_cursor",
                    "This cursor has expired or was never given out; run the query again.",
                    salesforce_code=exc.code,
                    fields=["cursor"],
                ) from exc
            if isinstance(exc, RetryLater | ReconnectRequired):
                raise ctx.unavailable(exc, "the query") from exc
            raise translate(
                code=exc.code,
                message=exc.message,
                fields=exc.fields,
                sobject=run.sobject,
                describe=None,
                user=ctx.user_label,
            ) from exc
    except Refusal as refusal:
        run_refused(run, refusal)
        run.save()
        return run
    next_url = page.get("nextRecordsUrl") or ""
    records = [_clean(r) for r in page.get("records", [])]
    run.records = records  # answered, not stored: the Actions page shows counts, not the org's data
    run.result = {
        "returned": len(records),
        "total_size": page.get("totalSize", len(records)),
        "next_cursor": next_url.rsplit("/", 1)[-1] if next_url else None,
    }
    run.status, run.http_status, run.finished_at = ActionStatus.SUCCEEDED, 200, timezone.now()
    run.save()
    return run
