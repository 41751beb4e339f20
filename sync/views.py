"""Sync health page (start / cancel a full sync, live progress), its JSON endpoint, and the synced record lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.errors import IntegrationError
from integrations.selectors import connection_get_admin
from integrations.services.metadata import describe_get
from sync.forms import FilterFormSet, ObjectScopeForm
from sync.models import SyncObjectConfig, SyncRun
from sync.selectors import (
    PAGE_SIZE,
    filter_fields,
    initial_import_status,
    record_columns,
    record_count,
    record_list,
    record_list_empty_reason,
    run_active,
    run_full_active,
    run_full_latest,
    run_progress,
    salesforce_record_base,
    sync_health,
)
from sync.services.runs import full_sync_start, run_cancel, sync_objects_ensure
from sync.services.scope import sync_scope_update
from sync.types import RunKind
from workspaces.models import MANAGE_CRM_SETTINGS

RECORD_PAGES = {
    # page key: (title, objects the page can show, first is the default)
    "accounts": ("Accounts", ("Account",)),
    "prospects": ("Prospects", ("Contact", "Lead")),
    "opportunities": ("Opportunities", ("Opportunity",)),
    "cases": ("Cases", ("Case",)),
}


def _require_manage(request, what: str = "run a full sync"):
    if not request.user.has_perm(MANAGE_CRM_SETTINGS, request.workspace):
        raise PermissionDenied(f"Only members with the Manage CRM Settings permission can {what}.")


@require_GET
def sync_health_view(request, workspace_slug):
    workspace = request.workspace
    sync_objects_ensure(workspace=workspace)
    connection = connection_get_admin(workspace=workspace)
    # The runs table is read first and the progress box's run taken from it, so both describe the same row.
    recent_runs = list(SyncRun.objects.filter(workspace=workspace)[:10])
    active = run_full_active(workspace=workspace)
    shown = active or run_full_latest(workspace=workspace)
    shown = next((r for r in recent_runs if shown and r.pk == shown.pk), shown)
    backfill = run_active(workspace=workspace, kind=RunKind.BACKFILL) or _recent_backfill(recent_runs)
    return render(
        request,
        "sync/health.html",
        {
            "objects": sync_health(workspace=workspace),
            "connection": connection,
            "full_run": shown,
            "progress": run_progress(run=shown) if shown else None,
            "any_full_active": active is not None,
            "initial_import": initial_import_status(workspace=workspace, connection=connection),
            "backfill_run": backfill,
            "backfill_progress": run_progress(run=backfill) if backfill else None,
            "can_manage": request.user.has_perm(MANAGE_CRM_SETTINGS, workspace),
            "recent_runs": recent_runs,
        },
    )


def _recent_backfill(recent_runs: list[SyncRun]) -> SyncRun | None:
    """A backfill that finished among the latest runs stays on the page, so its outcome can be read."""
    return next((r for r in recent_runs[:3] if r.kind == RunKind.BACKFILL), None)


@require_POST
def full_sync_start_view(request, workspace_slug):
    _require_manage(request)
    try:
        run = full_sync_start(workspace=request.workspace, actor=request.user)
    except IntegrationError as exc:
        messages.error(request, exc.message)
    else:
        if run is None:
            messages.info(request, "A full sync is already running.")
        else:
            messages.success(request, "Full sync started.")
    return redirect("sync_health", workspace_slug=workspace_slug)


@require_GET
def run_progress_view(request, workspace_slug, pk):
    run = get_object_or_404(SyncRun, pk=pk, workspace=request.workspace)
    return JsonResponse(run_progress(run=run))


@require_POST
def run_cancel_view(request, workspace_slug, pk):
    _require_manage(request)
    run = get_object_or_404(SyncRun, pk=pk, workspace=request.workspace)
    if run_cancel(run=run, actor=request.user):
        messages.success(request, "Cancelling the sync: it stops after the batch in progress.")
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(run_progress(run=run))
    return redirect("sync_health", workspace_slug=workspace_slug)


def sync_scope_view(request, workspace_slug, sobject):
    """Which records of one object are synced: on/off, first-import lookback, inclusion filters (describe-checked)."""
    _require_manage(request, "change what is synced")
    workspace = request.workspace
    sync_objects_ensure(workspace=workspace)
    config = get_object_or_404(SyncObjectConfig, workspace=workspace, sobject=sobject)
    connection = connection_get_admin(workspace=workspace)
    describe = describe_get(connection=connection, sobject=sobject) if connection else None
    fields = describe.field_map() if describe and describe.available else {}
    initial_scope = {"enabled": config.enabled, "lookback_field": config.lookback_field,
                     "lookback_days": config.lookback_days}  # fmt: skip
    initial_filters = [
        {"field": f.field, "operator": f.operator, "values": ", ".join(str(v) for v in f.values)}
        for f in config.filters.all()
    ]
    data = request.POST if request.method == "POST" else None
    form = ObjectScopeForm(data, initial=initial_scope, fields=fields, prefix="scope")
    formset = FilterFormSet(data, initial=initial_filters, form_kwargs={"fields": fields}, prefix="filters")
    if request.method == "POST":
        if not fields:
            messages.error(request, "Salesforce metadata is unavailable, so filters cannot be checked. Try later.")
        elif form.is_valid() and formset.is_valid():
            filters = [
                {"field": f.cleaned_data["field"], "operator": f.cleaned_data["operator"],
                 "values": f.cleaned_data.get("values_list", [])}
                for f in formset.forms
                if f.cleaned_data.get("field") and not f.cleaned_data.get("DELETE")
            ]  # fmt: skip
            sync_scope_update(
                config=config, enabled=form.cleaned_data["enabled"], filters=filters, actor=request.user,
                lookback_field=form.cleaned_data["lookback_field"], lookback_days=form.cleaned_data["lookback_days"],
            )  # fmt: skip
            messages.success(request, f"{sobject} sync scope saved. It applies from the next full sync.")
            return redirect("sync_scope", workspace_slug=workspace_slug, sobject=sobject)
        else:
            messages.error(request, "Please fix the errors below.")
    return render(
        request,
        "sync/scope.html",
        {"config": config, "form": form, "formset": formset, "describe": describe, "has_fields": bool(fields)},
    )


MAX_PAGE = 100_000


def record_list_view(request, workspace_slug, page_key):
    workspace = request.workspace
    title, sobjects = RECORD_PAGES[page_key]
    sobject = request.GET.get("object") if request.GET.get("object") in sobjects else sobjects[0]
    fields = filter_fields(workspace=workspace, sobject=sobject, params=request.GET)
    search = request.GET.get("q", "").strip()
    rows = record_list(workspace=workspace, sobject=sobject, fields=fields, search=search)
    total, capped = record_count(rows)
    last_page = max(1, -(-total // PAGE_SIZE))
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # A page number past the list shows its last page; past any real list it would overflow the database's OFFSET.
    page = min(page, MAX_PAGE if capped else last_page)
    window = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    filtered = bool(search) or any(v for f in fields for v in f.values.values())
    return render(
        request,
        "sync/records.html",
        {
            "title": title,
            "page_key": page_key,
            "sobject": sobject,
            "sobjects": sobjects,
            "fields": fields,
            "columns": record_columns(workspace=workspace, sobject=sobject),
            "rows": window[:PAGE_SIZE],
            "page": page,
            "last_page": None if capped else last_page,
            "has_next": len(window) > PAGE_SIZE,
            "total": total,
            "capped": capped,
            "first_shown": (page - 1) * PAGE_SIZE + 1,
            "last_shown": (page - 1) * PAGE_SIZE + len(window[:PAGE_SIZE]),
            "query": query.urlencode(),
            "search": search,
            "filtered": filtered,
            "salesforce_url": salesforce_record_base(workspace=workspace),
            "empty": None
            if window
            else record_list_empty_reason(workspace=workspace, sobject=sobject, title=title, filtered=filtered),
            "can_manage": request.user.has_perm(MANAGE_CRM_SETTINGS, workspace),
        },
    )
