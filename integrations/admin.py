"""Django admin for integration rows. Secrets appear only as fingerprints; actions call services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from core.fields import fingerprint
from integrations.errors import IntegrationError
from integrations.models import (
    Connection,
    ConnectionAction,
    ConnectionEvent,
    ConnectionStatus,
    DescribeCache,
    OAuthApp,
    OAuthCredential,
    OAuthState,
)
from integrations.services.connections import connection_disconnect
from integrations.services.metadata import describe_invalidate
from integrations.services.tokens import connection_mark_reconnect_required, credential_refresh


class CredentialInline(admin.StackedInline):
    model = OAuthCredential
    can_delete = False
    extra = 0
    fields = ("access_token_fingerprint", "refresh_token_fingerprint", "client_id", "version", "refreshed_at")
    readonly_fields = fields

    @admin.display(description="Access token")
    def access_token_fingerprint(self, obj):
        return fingerprint(obj.access_token)

    @admin.display(description="Refresh token")
    def refresh_token_fingerprint(self, obj):
        return fingerprint(obj.refresh_token)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "workspace", "kind", "user", "org_name", "org_id", "status", "last_success_at")
    list_filter = ("provider", "kind", "status", "auth_type", "environment")
    search_fields = ("workspace__name", "workspace__slug", "org_id", "org_name", "remote_username", "user__email")
    list_select_related = ("workspace", "user")
    inlines = [CredentialInline]
    actions = ["refresh_tokens", "require_reconnect", "clear_describe_cache", "disconnect"]
    fields = (
        ("workspace", "provider", "kind", "user"),
        ("auth_type", "environment", "login_url", "instance_url"),
        ("org_id", "org_name", "field_prefix"),
        ("remote_user_id", "remote_username", "remote_display_name", "scopes"),
        ("status", "status_reason", "status_changed_at"),
        ("last_success_at", "last_error_at", "last_error"),
        ("api_usage_used", "api_usage_max", "api_usage_at"),
        ("connected_by", "issued_at", "created_at", "updated_at"),
    )
    # Connections change only through the connect flow; the admin may fix the field prefix.
    readonly_fields = tuple(f for row in fields for f in row if f != "field_prefix")

    def has_add_permission(self, request):
        return False

    @admin.action(description="Refresh the access token now")
    def refresh_tokens(self, request, queryset):
        done = 0
        for connection in queryset:
            try:
                seen = OAuthCredential.objects.values_list("version", flat=True).get(connection=connection)
                credential_refresh(connection=connection, seen_version=seen)
                done += 1
            except (IntegrationError, OAuthCredential.DoesNotExist) as exc:
                self.message_user(request, f"{connection}: {exc}", messages.ERROR)
        self.message_user(request, f"Refreshed {done} connection(s).")

    @admin.action(description="Require reconnect (pause work until the owner reconnects)")
    def require_reconnect(self, request, queryset):
        for connection in queryset.filter(status=ConnectionStatus.CONNECTED):
            connection_mark_reconnect_required(
                connection=connection,
                reason="An administrator asked for this connection to be reconnected.",
                action=ConnectionAction.RECONNECT_REQUIRED,
                actor=request.user,
            )
        self.message_user(request, "Marked the selected connections as needing reconnect.")

    @admin.action(description="Forget cached describes")
    def clear_describe_cache(self, request, queryset):
        for connection in queryset:
            describe_invalidate(connection=connection)
        self.message_user(request, "Cleared the describe cache.")

    @admin.action(description="Disconnect (revoke at Salesforce and delete)")
    def disconnect(self, request, queryset):
        if not request.POST.get("post"):  # confirm first, like delete_selected
            context = {
                **self.admin_site.each_context(request),
                "title": "Disconnect Salesforce connections",
                "queryset": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/integrations/connection/disconnect_confirmation.html", context)
        count = 0
        for connection in queryset:
            connection_disconnect(connection=connection, actor=request.user)
            count += 1
        self.message_user(request, f"Disconnected {count} connection(s).")
        return None


@admin.register(OAuthApp)
class OAuthAppAdmin(admin.ModelAdmin):
    list_display = ("workspace", "provider", "consumer_key", "secret_fingerprint", "updated_by", "updated_at")
    fields = ("workspace", "provider", "consumer_key", "secret_fingerprint", "updated_by", "created_at", "updated_at")
    readonly_fields = fields
    search_fields = ("workspace__name", "consumer_key")

    @admin.display(description="Consumer secret")
    def secret_fingerprint(self, obj):
        return fingerprint(obj.consumer_secret)

    def has_add_permission(self, request):
        return False  # entered on the integrations page, where the change is audited


@admin.register(ConnectionEvent)
class ConnectionEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workspace", "action", "connection_label", "actor")
    list_filter = ("action", "provider")
    search_fields = ("connection_label", "detail", "workspace__name", "actor__email")
    list_select_related = ("workspace", "actor")
    readonly_fields = [f.name for f in ConnectionEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OAuthState)
class OAuthStateAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workspace", "user", "kind", "environment", "consumed_at")
    list_filter = ("kind", "environment")
    fields = (
        "workspace", "user", "provider", "kind", "environment", "login_url", "redirect_uri", "created_at", "consumed_at"
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DescribeCache)
class DescribeCacheAdmin(admin.ModelAdmin):
    list_display = ("connection", "sobject", "fetched_at")
    search_fields = ("sobject",)
    fields = ("connection", "sobject", "fetched_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
