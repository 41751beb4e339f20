"""Admin for the ledger and the mirrored events. Retry and cancel are confirmed first, then call services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template.response import TemplateResponse

from activities.models import (
    Activity,
    ApiKey,
    Enrollment,
    IdempotencyRecord,
    OptOut,
    Prospect,
    WritebackAttempt,
    WritebackJob,
)
from activities.selectors import writeback_counts_by_workspace
from activities.services.ledger import jobs_cancel, jobs_retry


def _confirmed(modeladmin, request, queryset, *, verb: str, consequence: str, service) -> TemplateResponse | None:
    """The `delete_selected` pattern: render a confirmation page unless the form says `post=yes`."""
    if request.POST.get("post") == "yes":
        done = service(jobs=list(queryset))
        modeladmin.message_user(request, f"{verb}: {done} of {queryset.count()} selected job(s).", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"{verb} writeback jobs?",
        "verb": verb,
        "consequence": consequence,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_name": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/activities/confirm_action.html", context)


@admin.action(description="Retry selected failed/cancelled jobs", permissions=["change"])
def retry_jobs(modeladmin, request, queryset):
    consequence = "Failed, cancelled or skipped jobs go back in the queue with fresh attempts."
    return _confirmed(modeladmin, request, queryset, verb="Retry", service=jobs_retry, consequence=consequence)


@admin.action(description="Cancel selected jobs", permissions=["change"])
def cancel_jobs(modeladmin, request, queryset):
    return _confirmed(modeladmin, request, queryset, verb="Cancel", service=jobs_cancel,
                      consequence="Jobs not yet written will not be written to Salesforce.")  # fmt: skip


class AttemptInline(admin.TabularInline):
    model = WritebackAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "duration_ms", "request", "status_code", "outcome", "error_code", "message")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WritebackJob)
class WritebackJobAdmin(admin.ModelAdmin):
    list_display = ("id", "workspace", "action", "status", "attempts", "prospect", "user", "next_attempt_at",
                    "last_error_code")  # fmt: skip
    list_filter = ("status", "action", "workspace")
    search_fields = ("prospect__email", "idempotency_key", "last_error_code", "remote_id")
    list_select_related = ("workspace", "prospect", "user")
    actions = [retry_jobs, cancel_jobs]
    inlines = [AttemptInline]
    readonly_fields = [f.name for f in WritebackJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "workspace_counts": writeback_counts_by_workspace()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(WritebackAttempt)
class WritebackAttemptAdmin(admin.ModelAdmin):
    list_display = ("job", "number", "started_at", "duration_ms", "request", "status_code", "outcome", "error_code")
    list_filter = ("outcome",)
    readonly_fields = [f.name for f in WritebackAttempt._meta.fields]

    def has_add_permission(self, request):
        return False


class JobInline(admin.TabularInline):
    model = WritebackJob
    extra = 0
    can_delete = False
    fields = ("action", "status", "attempts", "last_error_code", "remote_id")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    # Links a person types without a scheme are https (Django 6's default, without its warning now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("id", "workspace", "kind", "state", "prospect", "user", "salesforce_task_id", "received_at")
    list_filter = ("kind", "state", "workspace")
    search_fields = ("external_id", "prospect__email", "salesforce_task_id")
    list_select_related = ("workspace", "prospect", "user")
    raw_id_fields = ("prospect", "user")
    inlines = [JobInline]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    # Links a person types without a scheme are https (Django 6's default, without its warning now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("email", "first_name", "last_name", "workspace", "salesforce_type", "salesforce_id", "matched_by")
    list_filter = ("salesforce_type", "matched_by", "workspace")
    search_fields = ("email", "last_name", "linkedin_url", "salesforce_id")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("prospect", "event", "sequence_name", "step_name", "user", "occurred_at")
    list_filter = ("event",)
    raw_id_fields = ("prospect", "user")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("prospect", "channel", "occurred_at")
    raw_id_fields = ("prospect",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "prefix", "scopes", "created_by", "created_at", "last_used_at", "revoked_at")
    list_filter = ("workspace",)
    readonly_fields = ("prefix", "key_hash", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False  # keys are created in the app, where the key is shown once


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "workspace", "status_code", "created_at")
    readonly_fields = ("workspace", "key", "request_hash", "status_code", "response", "created_at")
