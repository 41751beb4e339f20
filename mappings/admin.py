"""Staff view of every workspace's CRM settings.

Rows are checked like on the settings pages (against the workspace's cached describe, see mappings/forms/admin.py),
and every add, edit and delete is recorded in the settings history, so admins see it and can revert it there.
The history itself is read-only.
"""

from django.contrib import admin

from mappings.forms.admin import (
    CreationDefaultAdminForm,
    CrmSettingsAdminForm,
    OptOutFieldAdminForm,
    SequenceFieldMappingAdminForm,
    SyncFieldMappingAdminForm,
    TaskFieldMappingAdminForm,
)
from mappings.models import (
    CreationDefault,
    CrmSettings,
    OptOutField,
    SequenceFieldMapping,
    SettingsChange,
    SyncFieldMapping,
    TaskFieldMapping,
)
from mappings.services import settings_rows_edit

ADMIN_EDIT = "Edited in the Django admin"


class WorkspaceScopedAdmin(admin.ModelAdmin):
    list_select_related = ("workspace",)
    autocomplete_fields = ("workspace",)
    readonly_fields = ("updated_at",)

    def save_model(self, request, obj, form, change):
        parent = super()
        old = type(obj).objects.select_related("workspace").filter(pk=obj.pk).first() if change else None
        settings_rows_edit(
            rows=[row for row in (old, obj) if row is not None],
            apply=lambda: parent.save_model(request, obj, form, change),
            actor=request.user,
            summary=ADMIN_EDIT,
        )

    def delete_model(self, request, obj):
        parent = super()
        settings_rows_edit(
            rows=[obj], apply=lambda: parent.delete_model(request, obj), actor=request.user, summary=ADMIN_EDIT
        )

    def delete_queryset(self, request, queryset):
        parent = super()
        settings_rows_edit(
            rows=list(queryset.select_related("workspace")),
            apply=lambda: parent.delete_queryset(request, queryset),
            actor=request.user,
            summary=ADMIN_EDIT,
        )


@admin.register(TaskFieldMapping)
class TaskFieldMappingAdmin(WorkspaceScopedAdmin):
    form = TaskFieldMappingAdminForm
    list_display = ("workspace", "activity_kind", "target_field", "source", "value", "position", "updated_at")
    list_filter = ("workspace", "activity_kind", "source")
    search_fields = ("workspace__name", "target_field", "value")


@admin.register(SequenceFieldMapping)
class SequenceFieldMappingAdmin(WorkspaceScopedAdmin):
    form = SequenceFieldMappingAdminForm
    list_display = ("workspace", "sobject", "purpose", "target_field", "updated_at")
    list_filter = ("workspace", "sobject", "purpose")
    search_fields = ("workspace__name", "target_field")


@admin.register(CreationDefault)
class CreationDefaultAdmin(WorkspaceScopedAdmin):
    form = CreationDefaultAdminForm
    list_display = ("workspace", "sobject", "target_field", "source", "value", "fallback", "updated_at")
    list_filter = ("workspace", "sobject", "source")
    search_fields = ("workspace__name", "target_field", "value")


@admin.register(OptOutField)
class OptOutFieldAdmin(WorkspaceScopedAdmin):
    form = OptOutFieldAdminForm
    list_display = ("workspace", "sobject", "target_field", "updated_at")
    list_filter = ("workspace", "sobject")
    search_fields = ("workspace__name", "target_field")


@admin.register(SyncFieldMapping)
class SyncFieldMappingAdmin(WorkspaceScopedAdmin):
    form = SyncFieldMappingAdminForm
    list_display = ("workspace", "sobject", "field_name", "display_name", "field_type", "filterable", "status")
    list_filter = ("workspace", "sobject", "status", "filterable")
    search_fields = ("workspace__name", "field_name", "display_name")
    readonly_fields = ("status", "updated_at")  # set by the metadata refresh, from the org's describe


@admin.register(CrmSettings)
class CrmSettingsAdmin(WorkspaceScopedAdmin):
    form = CrmSettingsAdminForm
    list_display = ("workspace", "log_mode", "new_prospect_as", "api_budget_percent", "defaults_applied_at")
    list_filter = ("log_mode", "new_prospect_as")
    search_fields = ("workspace__name",)
    readonly_fields = ("defaults_applied_at", "updated_at")


@admin.register(SettingsChange)
class SettingsChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workspace", "section", "actor", "summary")
    list_filter = ("workspace", "section")
    search_fields = ("workspace__name", "summary", "actor__email")
    list_select_related = ("workspace", "actor")
    readonly_fields = ("workspace", "actor", "section", "summary", "before", "after", "reverted_change", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
