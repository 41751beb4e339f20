"""Advanced settings, the change history with revert, and the metadata refresh button."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mappings.changes import FieldLabels, change_view
from mappings.forms.advanced import AdvancedForm
from mappings.metadata import SETTINGS_OBJECTS, crm_metadata_get
from mappings.models import SettingsChange
from mappings.sections import section_label
from mappings.selectors import crm_settings_get, settings_change_list
from mappings.services import settings_change_revert, settings_section_save, sync_mappings_refresh_status
from mappings.types import CreationObject
from mappings.views.common import page_load, render_settings, saved_message
from workspaces.permissions import crm_settings_view

HISTORY_LIMIT = 200


@crm_settings_view
def advanced(request, workspace_slug):
    page = page_load(request)
    crm = crm_settings_get(workspace=request.workspace)
    describes = {s: page.describe(s) for s in ("Contact", "Lead")}
    data = request.POST if request.method == "POST" else None
    # Log mode, prospect type and budget need no metadata, so they stay editable when Salesforce is away.
    form = AdvancedForm(data, crm=crm, describes=describes, readonly=not page.can_manage)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section="advanced", rows=form.rows(), actor=request.user
            )
            saved_message(request, change)
            return redirect("crm_advanced", workspace_slug=workspace_slug)
        status = 400
    return render_settings(request, "mappings/advanced.html", page, "advanced", {"form": form}, status=status)


@crm_settings_view
def history(request, workspace_slug):
    page = page_load(request)
    labels = FieldLabels({sobject: page.describe(sobject) for sobject in SETTINGS_OBJECTS})
    changes = settings_change_list(workspace=request.workspace)[:HISTORY_LIMIT]
    entries = [change_view(c, workspace=request.workspace, labels=labels) for c in changes]
    return render_settings(request, "mappings/history.html", page, "history", {"entries": entries})


@require_POST
@crm_settings_view
def change_revert(request, workspace_slug, pk):
    change = get_object_or_404(SettingsChange, pk=pk, workspace=request.workspace)
    try:
        revert = settings_change_revert(change=change, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{section_label(change.section)} reverted. {revert.summary}")
    return redirect("crm_history", workspace_slug=workspace_slug)


@require_POST
@crm_settings_view
def metadata_refresh(request, workspace_slug):
    metadata = crm_metadata_get(workspace=request.workspace, force=True)
    if metadata.needs_reconnect:
        messages.warning(request, "The field list cannot be refreshed until the admin connection is reconnected.")
    elif metadata.reason:
        messages.error(request, metadata.reason)
    elif metadata.available:
        for sobject in CreationObject.values:
            sync_mappings_refresh_status(
                workspace=request.workspace, sobject=sobject, describe=metadata.describe(sobject)
            )
        messages.success(request, "Salesforce metadata refreshed.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("crm_task_mappings_index", workspace_slug=workspace_slug)
