"""The setup checklist page: what the org has and lacks, and how to fix it in Salesforce Setup."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from integrations.forms import FieldPrefixForm
from integrations.selectors import connection_get_admin
from integrations.services.checklist import checklist_run
from integrations.services.settings import connection_field_prefix_update
from workspaces.permissions import crm_settings_view


@crm_settings_view
def checklist(request, workspace_slug):
    """GET shows the checklist from cached describes; POST re-checks against Salesforce or changes the prefix."""
    admin = connection_get_admin(workspace=request.workspace)
    if admin is None:
        messages.info(request, "Connect the admin connection first; the checklist reads the org through it.")
        return redirect("integration_list", request.workspace.slug)
    form = FieldPrefixForm(initial={"field_prefix": admin.field_prefix})
    if request.method == "POST":
        if request.POST.get("action") == "prefix":
            form = FieldPrefixForm(request.POST)
            if form.is_valid():
                connection_field_prefix_update(connection=admin, field_prefix=form.cleaned_data["field_prefix"])
                messages.success(request, "Saved the custom field prefix.")
                return redirect("integration_checklist", request.workspace.slug)
        else:
            checklist_run(admin=admin, force=True)
            messages.success(request, "Re-checked the org against Salesforce.")
            return redirect("integration_checklist", request.workspace.slug)
    context = {
        "admin_connection": admin,
        "checklist": None if not admin.is_usable else checklist_run(admin=admin),
        "prefix_form": form,
    }
    return render(request, "integrations/checklist.html", context, status=400 if form.errors else 200)
