from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import models
from django.utils import timezone

MANAGE_CRM_SETTINGS = "workspaces.manage_crm_settings"


class Workspace(models.Model):
    """A sales-engagement team: its members, its CRM connections and its settings."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    REP = "rep", "Rep"


# Permissions each role holds without an explicit grant. Codenames of Membership's Meta permissions.
ROLE_DEFAULT_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"manage_crm_settings"}),
    Role.ADMIN: frozenset({"manage_crm_settings"}),
    Role.REP: frozenset(),
}
MEMBER_MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    granted_permissions = models.ManyToManyField(
        Permission,
        blank=True,
        related_name="+",
        help_text="Workspace permissions granted beyond what the role gives.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="uniq_membership_user_workspace")]
        permissions = [("manage_crm_settings", "Manage CRM Settings")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    @property
    def can_manage_members(self) -> bool:
        return self.role in MEMBER_MANAGER_ROLES


class Invitation(models.Model):
    """An emailed link that adds a person to a workspace. Only a hash of the token is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "email"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.workspace}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
