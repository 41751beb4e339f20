"""The Actions page: every action an automation or a person ran (who, input, result, attempts), with filters,
and a form to run one by hand through the same checks and ledger as the API."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from pydantic import ValidationError

from actions.forms import ActionFilterForm, ActionRunForm
from actions.models import ActionName, ActionRun, ActionStatus
from actions.schemas import CreateTaskIn, LogMeetingIn, QueryRecordsIn, UpdateOpportunityIn
from actions.selectors import action_examples, action_list, action_sources
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
    examples = action_examples(workspace=request.workspace, today=timezone.localdate())
    return render(
        request,
        "actions/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "run_form": ActionRunForm(initial={"body": examples[ActionName.CREATE_TASK]}),
            "examples": json.dumps(examples),
        },
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
    return render(
        request,
        "actions/detail.html",
        {"run": run, "attempts": attempts, "link": link, "input_json": json.dumps(run.input, indent=2)},
    )


@manage_required
def action_run_view(request, workspace_slug):
    examples = action_examples(workspace=request.workspace, today=timezone.localdate())
    form = ActionRunForm(request.POST or None, initial={"body": examples[ActionName.CREATE_TASK]})
    page = {"form": form, "examples": json.dumps(examples)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "actions/run.html", page, status=400 if request.method == "POST" else 200)
    name = form.cleaned_data["name"]
    try:
        data = SCHEMAS[name].model_validate(form.cleaned_data["body"])
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "input"
            form.add_error("body", f"{where}: {error['msg']}")
        return render(request, "actions/run.html", page, status=400)
    run = action_record(workspace=request.workspace, name=name, data=data, started_by=request.user)
    if name == ActionName.QUERY_RECORDS:
        run = records_query(run, data, request=request)
        return render(
            request,
            "actions/detail.html",
            {
                "run": run,
                "attempts": [],
                "link": "",
                "records": getattr(run, "records", None),
                "input_json": json.dumps(run.input, indent=2),
            },
        )
    run = action_start(run, data, request=request)
    if run.status == ActionStatus.PENDING:
        run = action_wait(run, seconds=min(data.wait, 10))
    level = messages.SUCCESS if run.status == ActionStatus.SUCCEEDED else messages.WARNING
    messages.add_message(request, level, f"{run.get_name_display()}: {run.get_status_display()}.")
    return redirect("action_detail", workspace_slug=workspace_slug, pk=run.pk)


@manage_required
def score_settings_view(request, workspace_slug):
    """Opt in, map score names to Account fields (checked against the admin user's describe), preview a request."""
    from actions.checks import Refusal
    from actions.forms import ScoreDryRunForm, ScoreMappingFormSet, ScoreSettingsForm
    from actions.schemas import ScoreRow
    from actions.selectors import score_mappings, score_settings_get
    from actions.services.context import ActionContext, connection_choose
    from actions.services.scores import mapping_check, score_fields, score_settings_save, scores_plan

    workspace = request.workspace
    settings_row, mappings = score_settings_get(workspace=workspace), score_mappings(workspace=workspace)
    ctx = problem = None
    describe = None
    try:
        connection, _ = connection_choose(workspace=workspace, as_user=None, request=request)
        ctx = ActionContext(workspace=workspace, connection=connection, request=request)
        describe = ctx.describe("Account")
    except Refusal as refusal:
        problem = refusal.message
    choices = [(f["name"], f"{f.get('label') or f['name']} ({f['name']}, {f['type']})") for f in score_fields(describe)]
    initial = [{"score_name": k, "account_field": v} for k, v in mappings.items()]
    previewing = request.method == "POST" and "preview" in request.POST
    # Each form is bound only to its own submit: a preview must not show the settings form as sent empty.
    saved = request.POST if request.method == "POST" and not previewing else None
    form = ScoreSettingsForm(saved, initial={"enabled": settings_row.enabled}, prefix="s")
    formset = ScoreMappingFormSet(saved, initial=initial, prefix="m", form_kwargs={"field_choices": choices})
    dry = ScoreDryRunForm(request.POST if previewing else None, prefix="d")
    preview = preview_error = None
    if previewing:
        if dry.is_valid() and ctx is not None:
            try:
                rows = [ScoreRow.model_validate(r) for r in dry.cleaned_data["rows"][:10_000]]
                preview = scores_plan(ctx, rows, mappings=mappings).records[:50]
            except Refusal as refusal:
                preview_error = refusal
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                preview_error = Refusal(400, "invalid_request", str(exc).splitlines()[0])
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        chosen, errors = {}, []
        for row in formset.cleaned_data:
            name, target = (row.get("score_name") or "").strip(), row.get("account_field") or ""
            if not name and not target:
                continue
            why = mapping_check(describe, target) if target else "Choose an Account field."
            if not name or why:
                errors.append(f"{name or '(no name)'}: {why or 'Give the score a name.'}")
            chosen[name] = target
        if errors or describe is None:
            for error in errors or [problem or "The Account describe is not available."]:
                messages.error(request, error)
        else:
            score_settings_save(
                workspace=workspace, enabled=form.cleaned_data["enabled"], mappings=chosen, user=request.user
            )
            messages.success(request, "Score write-back settings saved.")
            return redirect("score_settings", workspace_slug=workspace_slug)
    return render(
        request,
        "actions/scores.html",
        {
            "form": form,
            "formset": formset,
            "dry": dry,
            "problem": problem,
            "preview": preview,
            "preview_error": preview_error,
            "enabled": settings_row.enabled,
            "mappings": mappings,
        },
    )
