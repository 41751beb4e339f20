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
from sync.services.scope import preview_summary, preview_warning, scope_preview, sync_scope_update
from sync.soql import SoqlBuildError
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
    """Which records of one object are synced: on/off, first-import lookback, inclusion filters (describe-checked).

    Before a change that would drop records synced now is saved, the page counts in Salesforce what the new scope
    keeps and asks once more (a Save and drop button); "Preview" counts without saving, and the page's script asks
    for the same preview as JSON while the admin edits."""
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
    wants_json = request.headers.get("Accept") == "application/json"
    preview = preview_error = None
    confirm = False
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if not fields:
            messages.error(request, "Salesforce metadata is unavailable, so filters cannot be checked. Try later.")
        elif form.is_valid() and formset.is_valid():
            scope = _scope_proposed(form, formset)
            changed = _scope_key(scope) != _scope_key(_scope_saved(config))
            needs_check = changed and scope["enabled"] and not request.POST.get("confirm_drops")
            if action == "preview" or (action == "save" and needs_check):
                try:
                    preview = scope_preview(config=config, connection=connection, fields=fields,
                                            filters=scope["filters"], lookback_field=scope["lookback_field"],
                                            lookback_days=scope["lookback_days"])  # fmt: skip
                except IntegrationError as exc:
                    preview_error = f"Salesforce could not count the records: {exc.message}"
                except SoqlBuildError as exc:
                    preview_error = f"The saved scope no longer fits Salesforce: {exc}"
            if action == "save" and (not needs_check or (preview is not None and not preview.drops)):
                sync_scope_update(config=config, actor=request.user, **scope)
                messages.success(request, f"{sobject} sync scope saved. It applies from the next full sync.")
                return redirect("sync_scope", workspace_slug=workspace_slug, sobject=sobject)
            confirm = action == "save"  # records would be dropped, or they could not be counted: ask once more
        elif not wants_json:
            messages.error(request, "Please fix the errors below.")
    if wants_json and request.method == "POST":
        return JsonResponse(_preview_json(preview, preview_error, sobject, form, formset))
    return render(
        request,
        "sync/scope.html",
        {
            "config": config,
            "form": form,
            "formset": formset,
            "describe": describe,
            "has_fields": bool(fields),
            "picklists": _picklist_choices(fields),
            "preview": preview,
            "preview_summary": preview_summary(preview, sobject) if preview else "",
            "preview_warning": preview_warning(preview, sobject) if preview else "",
            "preview_error": preview_error,
            "confirm_drops": confirm,
        },
    )


def _scope_proposed(form, formset) -> dict:
    filters = [
        {"field": f.cleaned_data["field"], "operator": f.cleaned_data["operator"],
         "values": f.cleaned_data.get("values_list", [])}
        for f in formset.forms
        if f.cleaned_data.get("field") and not f.cleaned_data.get("DELETE")
    ]  # fmt: skip
    lookback_field = form.cleaned_data["lookback_field"] or ""
    return {
        "enabled": form.cleaned_data["enabled"],
        "filters": filters,
        "lookback_field": lookback_field,
        "lookback_days": form.cleaned_data["lookback_days"] if lookback_field else None,
    }


def _scope_saved(config: SyncObjectConfig) -> dict:
    return {
        "filters": [{"field": f.field, "operator": f.operator, "values": list(f.values)} for f in config.filters.all()],
        "lookback_field": config.lookback_field,
        "lookback_days": config.lookback_days if config.lookback_field else None,
    }


def _scope_key(scope: dict) -> tuple:
    """What decides which records are kept (the order of the filters does not)."""
    filters = sorted((f["field"], f["operator"], tuple(str(v) for v in f["values"])) for f in scope["filters"])
    return filters, scope["lookback_field"], scope["lookback_days"]


def _picklist_choices(fields: dict[str, dict]) -> dict[str, list[dict]]:
    """Active values of every picklist field, for the page's value chooser (the server checks them again)."""
    return {
        name: [{"value": p["value"], "label": p.get("label") or p["value"]} for p in meta.get("picklistValues") or []
               if p.get("active", True)]
        for name, meta in fields.items()
        if meta.get("type") in ("picklist", "multipicklist") and meta.get("picklistValues")
    }  # fmt: skip


def _preview_json(preview, error: str | None, sobject: str, form, formset) -> dict:
    if preview is not None:
        return {"ok": True, "keeps": preview.keeps, "total": preview.total, "current": preview.current,
                "drops": preview.drops, "synced": preview.synced, "summary": preview_summary(preview, sobject),
                "warning": preview_warning(preview, sobject)}  # fmt: skip
    problems = [str(e) for e in form.non_field_errors()] + [
        f"{name}: {' '.join(errs)}" for row in formset.forms for name, errs in row.errors.items()
    ]
    return {"ok": False, "error": error or "Fix the filters to see how many records they keep.", "problems": problems}


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
