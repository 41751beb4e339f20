"""What every CRM settings page shares: metadata state, who may edit, the tabs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render

from mappings.metadata import CrmMetadata, crm_metadata_get
from mappings.services import crm_settings_ensure_defaults
from workspaces.models import MANAGE_CRM_SETTINGS

TABS = (
    ("tasks", "Task mappings", "crm_task_mappings_index"),
    ("sequence", "Sequence fields", "crm_sequence_fields"),
    ("defaults", "Creation defaults", "crm_creation_defaults_index"),
    ("opt_out", "SMS opt-out", "crm_opt_out"),
    ("sync", "Data sync", "crm_sync_fields_index"),
    ("advanced", "Advanced", "crm_advanced"),
    ("history", "History", "crm_history"),
)
NO_METADATA_SAVE = "Nothing was saved: Salesforce field metadata is unavailable, so the choices cannot be checked."


@dataclass
class SettingsPage:
    metadata: CrmMetadata
    can_manage: bool

    @property
    def editable(self) -> bool:
        """Holders edit, and only while the org's fields are known (otherwise choices cannot be validated)."""
        return self.can_manage and self.metadata.available

    def describe(self, sobject: str) -> dict | None:
        return self.metadata.describe(sobject)


def page_load(request) -> SettingsPage:
    metadata = crm_metadata_get(workspace=request.workspace)
    can_manage = request.user.has_perm(MANAGE_CRM_SETTINGS, request.workspace)
    if can_manage and metadata.available:
        crm_settings_ensure_defaults(
            workspace=request.workspace,
            task_describe=metadata.describe("Task"),
            contact_describe=metadata.describe("Contact"),
            lead_describe=metadata.describe("Lead"),
            account_describe=metadata.describe("Account"),
            field_prefix=metadata.connection.field_prefix,
            actor=request.user,
        )
    return SettingsPage(metadata, can_manage)


def refuse_without_metadata(request, page: SettingsPage):
    """A redirect back with an explanation when a save cannot be validated; None when it can."""
    if page.metadata.available:
        return None
    messages.error(request, NO_METADATA_SAVE)
    return redirect(request.get_full_path())


def render_settings(request, template: str, page: SettingsPage, tab: str, context: dict, status: int = 200):
    return render(
        request,
        template,
        {"page": page, "metadata": page.metadata, "tab": tab, "tabs": TABS, **context},
        status=status,
    )


def saved_message(request, change) -> None:
    if change is None:
        messages.info(request, "No changes to save.")
    else:
        messages.success(request, f"Saved. {change.summary}")
