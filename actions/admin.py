from django.contrib import admin

from actions.models import ActionRun, ScoreMapping, ScoreSettings


@admin.register(ActionRun)
class ActionRunAdmin(admin.ModelAdmin):
    """Every action an automation or a person ran: who, what, the outcome, and the ledger job that wrote it."""

    list_display = ("id", "name", "status", "workspace", "who", "summary", "error_code", "attempts", "created_at")
    list_filter = ("name", "status", "workspace")
    search_fields = ("summary", "record_id", "error_code", "salesforce_code", "idempotency_key")
    readonly_fields = [f.name for f in ActionRun._meta.fields]
    list_select_related = ("api_key", "started_by", "job", "workspace")

    def has_add_permission(self, request):
        return False  # actions run through the API or the Actions page, where they are checked first


@admin.register(ScoreSettings)
class ScoreSettingsAdmin(admin.ModelAdmin):
    list_display = ("workspace", "enabled", "updated_by", "updated_at")


@admin.register(ScoreMapping)
class ScoreMappingAdmin(admin.ModelAdmin):
    list_display = ("workspace", "score_name", "account_field", "updated_at")
    list_filter = ("workspace",)
