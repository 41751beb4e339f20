from django.contrib import admin

from workspaces.models import Invitation, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    filter_horizontal = ("granted_permissions",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "member_count", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    @admin.display(description="Members")
    def member_count(self, obj):
        return obj.memberships.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "role", "created_at")
    list_filter = ("role", "workspace")
    search_fields = ("user__email", "workspace__name")
    autocomplete_fields = ("user", "workspace")
    filter_horizontal = ("granted_permissions",)
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("user", "workspace")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "workspace", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "workspace")
    search_fields = ("email", "workspace__name")
    readonly_fields = ("token_hash", "invited_by", "created_at", "accepted_at", "accepted_by", "revoked_at")
    list_select_related = ("workspace", "invited_by")
