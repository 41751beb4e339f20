"""Staff view of every workspace's CRM settings. Edits here bypass describe validation, so the history is
read-only and the settings pages stay the place where admins change things."""

from django.contrib import admin

from mappings.models import (
    CreationDefault,
    CrmSettings,
    OptOutField,
    SequenceFieldMapping,
    SettingsChange,
    SyncFieldMapping,
    TaskFieldMapping,
)


class WorkspaceScopedAdmin(admin.ModelAdmin):
    list_select_related = ("workspace",)
    autocomplete_fields = ("workspace",)
    readonly_fields = ("updated_at",)


@admin.register(TaskFieldMapping)
class TaskFieldMappingAdmin(WorkspaceScopedAdmin):
    list_display = ("workspace", "activity_kind", "target_field", "source", "value", "position", "updated_at")
    list_filter = ("workspace", "activity_kind", "source")
    search_fields = ("workspace__name", "target_field", "value")


@admin.register(SequenceFieldMapping)
class SequenceFieldMappingAdmin(WorkspaceScopedAdmin):
    list_display = ("workspace", "sobject", "purpose", "target_field", "updated_at")
    list_filter = ("workspace", "sobject", "purpose")
    search_fields = ("workspace__name", "target_field")


@admin.register(CreationDefault)
class CreationDefaultAdmin(WorkspaceScopedAdmin):
    list_display = ("workspace", "sobject", "target_field", "source", "value", "fallback", "updated_at")
    list_filter = ("workspace", "sobject", "source")
    search_fields = ("workspace__name", "target_field", "value")


@admin.register(OptOutField)
class OptOutFieldAdmin(WorkspaceScopedAdmin):
    list_display = ("workspace", "sobject", "target_field", "updated_at")
    list_filter = ("workspace", "sobject")
    search_fields = ("workspace__name", "target_field")


@admin.register(SyncFieldMapping)
class SyncFieldMappingAdmin(WorkspaceScopedAdmin):
    list_display = ("workspace", "sobject", "field_name", "display_name", "field_type", "filterable", "status")
    list_filter = ("workspace", "sobject", "status", "filterable")
    search_fields = ("workspace__name", "field_name", "display_name")


@admin.register(CrmSettings)
class CrmSettingsAdmin(WorkspaceScopedAdmin):
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
