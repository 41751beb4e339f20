"""The integrations page: the admin connection, your own connection, the team's, and how to set up the app."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from integrations.forms import ClientCredentialsForm, ConnectForm, OAuthAppForm
from integrations.models import OAuthApp
from integrations.registry import registry
from integrations.selectors import connection_get_admin, connection_get_for_user, connection_list_team
from integrations.types import ProviderSlug
from workspaces.models import MANAGE_CRM_SETTINGS

USAGE_WARN_RATIO = 0.8
"""API usage at or above this share of the daily allocation shows amber."""


def callback_url(request) -> str:
    return request.build_absolute_uri(reverse("salesforce_oauth_callback"))


def usage_view(connection) -> dict | None:
    if connection is None or not connection.api_usage_max:
        return None
    ratio = connection.api_usage_ratio or 0
    return {
        "used": connection.api_usage_used or 0,
        "limit": connection.api_usage_max,
        "percent": min(100, round(ratio * 100)),
        "warn": ratio >= USAGE_WARN_RATIO,
        "at": connection.api_usage_at,
    }


def environment_label(connection) -> str:
    """How a person names where the connection signs in. The local sandbox preset is stored as a My Domain URL (the
    emulator is reached like one), but "My Domain http://127.0.0.1:8765" tells an admin nothing: it is the sandbox."""
    sandbox = (settings.SANDBOX_URL or "").rstrip("/")
    if connection is None:
        return ""
    if sandbox and connection.login_url.rstrip("/") == sandbox:
        return "Local sandbox"
    return connection.get_environment_display()


def render_integrations_page(request, *, status: int = 200, **overrides):
    """Render the page; views that handled a form pass the bound form back in `overrides`."""
    workspace, user = request.workspace, request.user
    can_manage = user.has_perm(MANAGE_CRM_SETTINGS, workspace)
    admin = connection_get_admin(workspace=workspace)
    app = OAuthApp.objects.filter(workspace=workspace, provider=ProviderSlug.SALESFORCE).first()
    team = connection_list_team(workspace=workspace) if can_manage else []
    context = {
        "provider": registry.get(ProviderSlug.SALESFORCE),
        "admin_connection": admin,
        "own_connection": connection_get_for_user(workspace=workspace, user=user),
        "usage": usage_view(admin),
        "admin_environment": environment_label(admin),
        "can_manage": can_manage,
        "team": team,
        "team_connected": sum(1 for row in team if row.state == "connected"),
        # Members "Remind all" emails now: not the admin themselves, nor anyone reminded within the last day.
        "team_remindable": [
            row
            for row in team
            if row.needs_reminder
            and row.membership.user_id != user.pk
            and row.membership.user.is_active
            and row.next_reminder_at is None
        ],
        "connect_form": ConnectForm(prefix="admin"),
        "cc_form": ClientCredentialsForm(initial={"instance_url": admin.instance_url if admin else ""}),
        "app_form": OAuthAppForm(initial={"consumer_key": app.consumer_key if app else ""}),
        "oauth_app": app,
        "app_configured": app is not None or bool(settings.SALESFORCE_CONSUMER_KEY),
        "callback_url": callback_url(request),
        "scopes": settings.SALESFORCE_SCOPES,
    }
    context.update(overrides)
    return render(request, "integrations/index.html", context, status=status)


def integration_list(request, workspace_slug):
    return render_integrations_page(request)
