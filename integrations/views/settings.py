"""Admin-only forms on the integrations page: client credentials (with Test Connection) and the app's keys."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from integrations.errors import IntegrationError
from integrations.forms import ClientCredentialsForm, OAuthAppForm
from integrations.services.apps import oauth_app_update
from integrations.services.client_credentials import client_credentials_connect, client_credentials_test
from integrations.views.page import render_integrations_page
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm

CRM_ONLY = "Only members with the Manage CRM Settings permission can change the Salesforce connection."


@require_POST
@require_workspace_perm(MANAGE_CRM_SETTINGS, message=CRM_ONLY)
def client_credentials(request, workspace_slug):
    """One form, two buttons: `action=test` proves the credentials and saves nothing; `action=save` connects."""
    form = ClientCredentialsForm(request.POST)
    if not form.is_valid():
        return render_integrations_page(request, status=400, cc_form=form, cc_open=True)
    data = form.cleaned_data
    try:
        if request.POST.get("action") == "test":
            probe = client_credentials_test(
                instance_url=data["instance_url"],
                consumer_key=data["consumer_key"],
                consumer_secret=data["consumer_secret"],
            )
            return render_integrations_page(
                request,
                cc_form=ClientCredentialsForm(initial={**data, "consumer_secret": ""}),
                cc_open=True,
                cc_test=probe,
            )
        connection = client_credentials_connect(
            workspace=request.workspace,
            actor=request.user,
            instance_url=data["instance_url"],
            consumer_key=data["consumer_key"],
            consumer_secret=data["consumer_secret"],
        )
    except IntegrationError as exc:
        form.add_error(None, exc.message)
        return render_integrations_page(request, status=400, cc_form=form, cc_open=True)
    messages.success(
        request,
        f"The admin connection uses client credentials: {connection.remote_username} in {connection.org_label}.",
    )
    return redirect("integration_list", request.workspace.slug)


@require_POST
@require_workspace_perm(MANAGE_CRM_SETTINGS, message=CRM_ONLY)
def oauth_app(request, workspace_slug):
    form = OAuthAppForm(request.POST)
    if form.is_valid():
        try:
            oauth_app_update(
                workspace=request.workspace,
                actor=request.user,
                consumer_key=form.cleaned_data["consumer_key"],
                consumer_secret=form.cleaned_data["consumer_secret"],
            )
        except IntegrationError as exc:
            form.add_error("consumer_secret", exc.message)
    if not form.is_valid():
        return render_integrations_page(request, status=400, app_form=form, app_open=True)
    messages.success(request, "Saved the External Client App's consumer key and secret for this workspace.")
    return redirect("integration_list", request.workspace.slug)
