"""Object-level permissions: `user.has_perm(MANAGE_CRM_SETTINGS, workspace)`."""

from __future__ import annotations

from workspaces.models import Workspace
from workspaces.selectors import membership_permissions


class WorkspacePermissionBackend:
    """Answers workspace permissions from the user's membership; never grants global permissions."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not isinstance(obj, Workspace) or not user_obj.is_active or user_obj.is_anonymous:
            return False
        app_label, _, codename = perm.partition(".")
        if app_label != "workspaces":
            return False
        return codename in membership_permissions(user=user_obj, workspace=obj)
