"""The Actions page: every action an automation or a person ran (who, input, result, attempts), with filters,
and a form to run one by hand through the same checks and ledger as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from pydantic import ValidationError

from actions.forms import ActionFilterForm, ActionRunForm
from actions.models import ActionName, ActionRun, ActionStatus
from actions.schemas import CreateTaskIn, LogMeetingIn, QueryRecordsIn, UpdateOpportunityIn
from actions.selectors import action_list, action_sources
from actions.services.query import records_query
from actions.services.submit import action_record, action_start, action_wait
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm

manage_required = require_workspace_perm(
    MANAGE_CRM_SETTINGS, message="Only members with the Manage CRM Settings permission can run actions."
)
SCHEMAS = {
    ActionName.CREATE_TASK: CreateTaskIn,
    ActionName.UPDATE_OPPORTUNITY: UpdateOpportunityIn,
    ActionName.LOG_MEETING: LogMeetingIn,
    ActionName.QUERY_RECORDS: QueryRecordsIn,
}


def action_list_view(request, workspace_slug):
    sources = action_sources(workspace=request.workspace)
    filters = ActionFilterForm(request.GET or None, sources=sources)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    runs = action_list(
        workspace=request.workspace,
        name=chosen.get("name", ""),
        status=chosen.get("status", ""),
        source=chosen.get("source", ""),
        search=chosen.get("q", ""),
    )
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/list.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "run_form": ActionRunForm()},
    )


def action_detail(request, workspace_slug, pk):
    run = get_object_or_404(
        ActionRun.objects.select_related("api_key", "started_by", "as_user", "job", "connection"),
        pk=pk,
        workspace=request.workspace,
    )
    attempts = list(run.job.attempt_rows.order_by("number", "id")) if run.job_id else []
    link = ""
    if run.status == ActionStatus.SUCCEEDED and run.record_id and run.connection_id:
        link = f"{run.connection.instance_url.rstrip('/')}/lightning/r/{run.sobject}/{run.record_id}/view"
    return render(request, "actions/detail.html", {"run": run, "attempts": attempts, "link": link})


@manage_required
def action_run_view(request, workspace_slug):
    form = ActionRunForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "actions/run.html", {"form": form}, status=400 if request.method == "POST" else 200)
    name = form.cleaned_data["name"]
    try:
        data = SCHEMAS[name].model_validate(form.cleaned_data["body"])
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "input"
            form.add_error("body", f"{where}: {error['msg']}")
        return render(request, "actions/run.html", {"form": form}, status=400)
    run = action_record(workspace=request.workspace, name=name, data=data, started_by=request.user)
    if name == ActionName.QUERY_RECORDS:
        run = records_query(run, data, request=request)
        return render(
            request,
            "actions/detail.html",
            {"run": run, "attempts": [], "link": "", "records": getattr(run, "records", None)},
        )
    run = action_start(run, data, request=request)
    if run.status == ActionStatus.PENDING:
        run = action_wait(run, seconds=min(data.wait, 10))
    level = messages.SUCCESS if run.status == ActionStatus.SUCCEEDED else messages.WARNING
    messages.add_message(request, level, f"{run.get_name_display()}: {run.get_status_display()}.")
    return redirect("action_detail", workspace_slug=workspace_slug, pk=run.pk)
