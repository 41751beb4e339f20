from __future__ import annotations

from django.shortcuts import render

from integrations.selectors import connection_event_list
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm


@require_workspace_perm(MANAGE_CRM_SETTINGS, message="Only members with Manage CRM Settings can see the audit log.")
def audit_log(request, workspace_slug):
    return render(request, "integrations/audit.html", {"events": connection_event_list(workspace=request.workspace)})
