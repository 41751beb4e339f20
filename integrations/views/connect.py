"""Starting the web-server flow, the one fixed OAuth callback, and disconnecting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations.errors import IntegrationError
from integrations.forms import ConnectForm
from integrations.models import Connection, ConnectionKind
from integrations.services.connections import connection_disconnect, oauth_complete, oauth_start
from integrations.types import ProviderSlug
from integrations.views.page import callback_url, render_integrations_page
from workspaces.middleware import SESSION_KEY
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm
from workspaces.selectors import workspace_list_for_user


def _start(request, *, kind: str, form: ConnectForm | None, form_name: str = ""):
    if form is not None and not form.is_valid():
        return render_integrations_page(request, status=400, **{form_name: form})
    data = form.cleaned_data if form is not None else {}
    try:
        url = oauth_start(
            workspace=request.workspace,
            user=request.user,
            kind=kind,
            environment=data.get("environment", ""),
            my_domain_url=data.get("my_domain_url", ""),
            redirect_uri=callback_url(request),
        )
    except IntegrationError as exc:
        messages.error(request, exc.message)
        return render_integrations_page(request, status=400, **({form_name: form} if form is not None else {}))
    return redirect(url)


@require_POST
@require_workspace_perm(
    MANAGE_CRM_SETTINGS,
    message="Only members with the Manage CRM Settings permission can connect the admin connection.",
)
def admin_connect(request, workspace_slug):
    return _start(
        request, kind=ConnectionKind.ADMIN, form=ConnectForm(request.POST, prefix="admin"), form_name="connect_form"
    )


@require_POST
def own_connect(request, workspace_slug):
    # A rep joins the admin connection's org on its login host: there is nothing to choose.
    return _start(request, kind=ConnectionKind.USER, form=None)


@never_cache
@require_GET
@login_required
def oauth_callback(request):
    """The one callback URL registered on the External Client App; the state row says which workspace it is for."""
    result = oauth_complete(
        user=request.user,
        state=request.GET.get("state", ""),
        code=request.GET.get("code", ""),
        error=request.GET.get("error", ""),
        error_description=request.GET.get("error_description", ""),
    )
    if result.workspace is None:
        # The state names no workspace we may trust: show the message on the integrations page of the workspace
        # this person used last (or their first), never on the one the foreign state points at.
        messages.error(request, result.error.message)
        workspaces = workspace_list_for_user(user=request.user)
        remembered = request.session.get(SESSION_KEY)
        workspace = (workspaces.filter(slug=remembered).first() if remembered else None) or workspaces.first()
        return redirect("integration_list", workspace.slug) if workspace else redirect("root")
    if result.error is not None:
        messages.error(request, f"Salesforce was not connected. {result.error.message}")
    else:
        connection = result.connection
        what = "admin connection" if connection.kind == ConnectionKind.ADMIN else "Salesforce user"
        verb = "reconnected" if result.replaced else "connected"
        messages.success(
            request,
            f"Your {what} is {verb}: {connection.remote_username} in {connection.org_label}.",
        )
    return redirect("integration_list", result.workspace.slug)


@require_http_methods(["GET", "POST"])
def disconnect(request, workspace_slug, pk: int):
    """GET asks for confirmation on a page of its own (what disconnecting does, and to whom); POST disconnects."""
    connection = get_object_or_404(
        Connection.objects.select_related("user"), pk=pk, workspace=request.workspace, provider=ProviderSlug.SALESFORCE
    )
    own = connection.kind == ConnectionKind.USER and connection.user_id == request.user.pk
    if not own and not request.user.has_perm(MANAGE_CRM_SETTINGS, request.workspace):
        raise PermissionDenied("You can only disconnect your own Salesforce connection.")
    if request.method == "GET":
        return render(request, "integrations/disconnect_confirm.html", {"connection": connection, "own": own})
    if own:
        what = "your Salesforce user"
    elif connection.kind == ConnectionKind.ADMIN:
        what = "the Salesforce admin connection"
    else:
        what = f"the Salesforce connection of {connection.user}"
    revoked = connection_disconnect(connection=connection, actor=request.user)
    if revoked:
        messages.success(request, f"Disconnected {what}; the token was revoked at Salesforce.")
    else:
        messages.warning(
            request,
            f"Disconnected {what} here, but Salesforce could not be reached to revoke the token. "
            "Revoke it in Salesforce Setup › Connected Apps OAuth Usage.",
        )
    return redirect("integration_list", request.workspace.slug)
