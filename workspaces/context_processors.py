from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.selectors import workspace_list_for_user


def workspace(request):
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_workspace": workspace,
        "current_membership": getattr(request, "membership", None),
        "user_workspaces": workspace_list_for_user(user=user),
        "can_manage_crm_settings": bool(workspace and user.has_perm(MANAGE_CRM_SETTINGS, workspace)),
    }
