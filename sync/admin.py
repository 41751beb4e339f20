"""Django admin: sync runs (live progress, cancel), object states, and "Start full sync" on connections."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from integrations.admin import ConnectionAdmin
from integrations.errors import IntegrationError
from integrations.models import ConnectionKind
from sync.forms import SyncFilterAdminForm
from sync.models import ObjectSyncState, SyncedRecord, SyncFilter, SyncObjectConfig, SyncRun, SyncRunStep, SyncSettings
from sync.selectors import run_progress
from sync.services.runs import full_sync_start, run_cancel


class SyncRunStepInline(admin.TabularInline):
    model = SyncRunStep
    extra = 0
    can_delete = False
    fields = ("sobject", "status", "mode", "records_done", "records_expected", "deletes", "bulk_job_id", "locator",
              "page_offset", "error_code", "error_message")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workspace", "kind", "status", "records_done", "records_expected", "api_calls",
                    "started_at", "finished_at")  # fmt: skip
    list_filter = ("kind", "status")
    search_fields = ("workspace__name", "workspace__slug")
    list_select_related = ("workspace",)
    inlines = [SyncRunStepInline]
    change_form_template = "admin/sync/syncrun/change_form.html"
    actions = ["cancel_runs"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A run is a record of what the engine did: nothing on it is editable, so the page is a view (no Save).
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a run would drop its steps, the resume points a paused or stale run continues from.
        return False

    def can_cancel(self, request) -> bool:
        """Cancelling is the one thing staff do to a run; it needs the model's change permission, not an editable
        form."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", wrap(self.progress_view), name="sync_syncrun_progress"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="sync_syncrun_cancel"),
            *super().get_urls(),
        ]

    def progress_view(self, request, pk):
        return JsonResponse(run_progress(run=get_object_or_404(SyncRun, pk=pk)))

    def cancel_view(self, request, pk):
        run = get_object_or_404(SyncRun, pk=pk)
        if request.method == "POST" and self.can_cancel(request):
            run_cancel(run=run, actor=request.user)
            self.message_user(request, f"Cancelling {run}.")
        return redirect("admin:sync_syncrun_change", pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(SyncRun, pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "run": run,
            "progress": run_progress(run=run),
            "progress_url": reverse("admin:sync_syncrun_progress", args=[run.pk]),
            "cancel_url": reverse("admin:sync_syncrun_cancel", args=[run.pk]),
            "can_manage": self.can_cancel(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_cancel_permission(self, request):
        return self.can_cancel(request)

    @admin.action(description="Cancel selected runs", permissions=["cancel"])
    def cancel_runs(self, request, queryset):
        cancelled = sum(1 for run in queryset if run.is_active and run_cancel(run=run, actor=request.user))
        self.message_user(request, f"Asked {cancelled} run(s) to stop.")


@admin.register(ObjectSyncState)
class ObjectSyncStateAdmin(admin.ModelAdmin):
    list_display = ("object_config", "checkpoint_modstamp", "last_success_at", "reconcile_result", "last_error_code")
    list_filter = ("reconcile_result",)
    readonly_fields = [f.name for f in ObjectSyncState._meta.fields]


class SyncFilterInline(admin.TabularInline):
    model = SyncFilter
    form = SyncFilterAdminForm
    extra = 0


@admin.register(SyncObjectConfig)
class SyncObjectConfigAdmin(admin.ModelAdmin):
    list_display = ("sobject", "workspace", "enabled", "lookback_field", "lookback_days")
    list_filter = ("enabled", "sobject")
    inlines = [SyncFilterInline]


admin.site.register(SyncSettings)


@admin.register(SyncedRecord)
class SyncedRecordAdmin(admin.ModelAdmin):
    """Read-only: the copy changes only through syncs. Built for a million rows (no full count, raw ids)."""

    list_display = ("sf_id", "sobject", "name", "email", "workspace", "is_deleted", "system_modstamp", "synced_at")
    list_filter = ("sobject", "is_deleted")
    search_fields = ("=sf_id", "name", "email")
    list_select_related = ("workspace",)
    show_full_result_count = False
    readonly_fields = [f.name for f in SyncedRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description="Start full sync (Salesforce → local copy)", permissions=["change"])
def start_full_sync(modeladmin, request, queryset):
    """Confirm first (like delete_selected), then start one full sync per admin connection's workspace."""
    connections = list(queryset.filter(kind=ConnectionKind.ADMIN).select_related("workspace"))
    if request.POST.get("post") != "yes":
        return TemplateResponse(
            request,
            "admin/sync/full_sync_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": "Start a full sync?",
                "connections": connections,
                "skipped": queryset.exclude(kind=ConnectionKind.ADMIN).count(),
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": modeladmin.model._meta,
            },
        )
    started = []
    for connection in connections:
        try:
            run = full_sync_start(workspace=connection.workspace, actor=request.user)
        except IntegrationError as exc:
            modeladmin.message_user(request, f"{connection}: {exc.message}", messages.ERROR)
            continue
        if run is None:
            modeladmin.message_user(
                request, f"{connection.workspace}: a full sync is already running.", messages.WARNING
            )
        else:
            started.append(run)
    if len(started) == 1:
        return redirect("admin:sync_syncrun_change", started[0].pk)
    modeladmin.message_user(request, f"Started {len(started)} full sync(s).")
    return None


# A small hook instead of editing integrations/admin.py: sync adds its action to the Connection admin.
ConnectionAdmin.actions = [*ConnectionAdmin.actions, start_full_sync]
