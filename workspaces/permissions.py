"""View decorators for workspace-scoped permissions."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from workspaces.models import MANAGE_CRM_SETTINGS


def require_workspace_perm(perm: str, *, safe_methods_allowed: bool = False, message: str | None = None):
    """403 unless the member holds `perm` in the current workspace.

    With `safe_methods_allowed`, GET/HEAD pass so members can read settings they cannot change.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if safe_methods_allowed and request.method in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if not request.user.has_perm(perm, request.workspace):
                raise PermissionDenied(message or "You do not have permission to change this in this workspace.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def crm_settings_view(view):
    """Everyone reads; only holders of Manage CRM Settings write."""
    return require_workspace_perm(
        MANAGE_CRM_SETTINGS,
        safe_methods_allowed=True,
        message="Only members with the Manage CRM Settings permission can change CRM settings.",
    )(view)


def require_member_manager(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.membership.can_manage_members:
            raise PermissionDenied("Only workspace owners and admins can manage members.")
        return view(request, *args, **kwargs)

    return wrapped
