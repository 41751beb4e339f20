"""Sync health page (start / cancel a full sync, live progress), its JSON endpoint, and the synced record lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from integrations.errors import IntegrationError
from integrations.selectors import connection_get_admin
from sync.models import SyncRun
from sync.selectors import (
    PAGE_SIZE,
    filter_fields,
    record_list,
    run_full_active,
    run_full_latest,
    run_progress,
    sync_health,
)
from sync.services.runs import full_sync_start, run_cancel, sync_objects_ensure
from workspaces.models import MANAGE_CRM_SETTINGS

RECORD_PAGES = {
    # page key: (title, objects the page can show, first is the default)
    "accounts": ("Accounts", ("Account",)),
    "prospects": ("Prospects", ("Contact", "Lead")),
    "opportunities": ("Opportunities", ("Opportunity",)),
    "cases": ("Cases", ("Case",)),
}


def _require_manage(request):
    if not request.user.has_perm(MANAGE_CRM_SETTINGS, request.workspace):
        raise PermissionDenied("Only members with the Manage CRM Settings permission can run a full sync.")


@require_GET
def sync_health_view(request, workspace_slug):
    workspace = request.workspace
    sync_objects_ensure(workspace=workspace)
    active = run_full_active(workspace=workspace)
    shown = active or run_full_latest(workspace=workspace)
    return render(
        request,
        "sync/health.html",
        {
            "objects": sync_health(workspace=workspace),
            "connection": connection_get_admin(workspace=workspace),
            "full_run": shown,
            "progress": run_progress(run=shown) if shown else None,
            "can_manage": request.user.has_perm(MANAGE_CRM_SETTINGS, workspace),
            "recent_runs": SyncRun.objects.filter(workspace=workspace)[:10],
        },
    )


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


def record_list_view(request, workspace_slug, page_key):
    title, sobjects = RECORD_PAGES[page_key]
    sobject = request.GET.get("object") if request.GET.get("object") in sobjects else sobjects[0]
    fields = filter_fields(workspace=request.workspace, sobject=sobject, params=request.GET)
    search = request.GET.get("q", "").strip()
    rows = record_list(workspace=request.workspace, sobject=sobject, fields=fields, search=search)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # No COUNT(*) over a filtered million rows: fetch one row more than a page to know whether a next page exists.
    window = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    columns = list(fields)
    return render(
        request,
        "sync/records.html",
        {
            "title": title,
            "page_key": page_key,
            "sobject": sobject,
            "sobjects": sobjects,
            "fields": fields,
            "columns": columns,
            "rows": window[:PAGE_SIZE],
            "page": page,
            "has_next": len(window) > PAGE_SIZE,
            "query": query.urlencode(),
            "search": search,
        },
    )
