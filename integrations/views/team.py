"""Team connections: reminding the members who have not connected their own Salesforce user."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from integrations.services.reminders import connection_reminders_send
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm


@require_POST
@require_workspace_perm(MANAGE_CRM_SETTINGS, message="Only members with Manage CRM Settings can send reminders.")
def remind(request, workspace_slug):
    """POST `user` (one or more user ids) reminds those members; without it, everyone who has not connected."""
    raw = request.POST.getlist("user")
    user_ids = [v for v in raw if v.isdigit()] if raw else None
    if raw and not user_ids:
        messages.error(request, "Choose a member to remind.")
        return _back(request)
    result = connection_reminders_send(
        workspace=request.workspace, actor=request.user, base_url=request.build_absolute_uri("/"), user_ids=user_ids
    )
    if result.sent:
        names = ", ".join(u.email for u in result.sent)
        count = len(result.sent)
        messages.success(request, f"Sent {count} reminder{'s' if count != 1 else ''} to connect Salesforce: {names}.")
    for user, next_at in result.throttled:
        local = formats.date_format(timezone.localtime(next_at), "DATETIME_FORMAT")
        messages.info(
            request, f"{user.email} was reminded less than a day ago; the next reminder can go after {local}."
        )
    if result.failed:
        messages.error(
            request,
            "The mail server refused the reminder to " + ", ".join(u.email for u in result.failed) + ". Try again.",
        )
    if not (result.sent or result.throttled or result.failed):
        messages.info(request, "Everyone has connected their Salesforce user; there is no one to remind.")
    return _back(request)


def _back(request):
    return redirect(reverse("integration_list", args=[request.workspace.slug]) + "#team-connections")
