from integrations.selectors import connection_list_needing_reconnect


def reconnect_notice(request):
    """Tell the owner of a connection that needs reconnecting, on every page of the workspace."""
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return {}
    return {"reconnect_needed": connection_list_needing_reconnect(workspace=workspace, user=user)}
