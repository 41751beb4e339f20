"""What every CRM settings page shares: metadata state, who may edit, the tabs of the setup guide's layout."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from mappings.layout import OBJECT_PAGE_URLS, OBJECT_SLUGS, OBJECT_SUBTABS
from mappings.metadata import CrmMetadata, crm_metadata_get
from mappings.services import crm_settings_ensure_defaults
from workspaces.models import MANAGE_CRM_SETTINGS

TABS = (
    ("tasks", "Task Mappings", "crm_task_mappings_index", ()),
    ("contact", "Contact Mappings", "crm_object", ("contact",)),
    ("lead", "Lead Mappings", "crm_object", ("lead",)),
    ("account", "Account Mappings", "crm_object", ("account",)),
    ("advanced", "Advanced Settings", "crm_advanced", ()),
    ("history", "History", "crm_history", ()),
)
"""The top tabs, in the order of the Salesforce setup guide: (key, label, URL name, URL arguments)."""

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
        # No actor: the stock defaults are Switchboard's doing, and the history says so (not "the owner changed").
        crm_settings_ensure_defaults(
            workspace=request.workspace,
            task_describe=metadata.describe("Task"),
            contact_describe=metadata.describe("Contact"),
            lead_describe=metadata.describe("Lead"),
            account_describe=metadata.describe("Account"),
            field_prefix=metadata.connection.field_prefix,
        )
    return SettingsPage(metadata, can_manage)


def refuse_without_metadata(request, page: SettingsPage):
    """A redirect back with an explanation when a save cannot be validated; None when it can."""
    if page.metadata.available:
        return None
    messages.error(request, NO_METADATA_SAVE)
    return redirect(request.get_full_path())


def object_or_404(slug: str, *, subtab: str | None = None) -> str:
    """The Salesforce object of a lowercase URL slug (`contact`), checked to have `subtab`."""
    sobject = OBJECT_SLUGS.get(slug)
    if sobject is None or (subtab is not None and subtab not in dict(OBJECT_SUBTABS[sobject])):
        raise Http404("No such settings page.")
    return sobject


def object_subtabs(workspace, sobject: str) -> list[tuple[str, str, str]]:
    slug = sobject.lower()
    return [
        (key, label, reverse(OBJECT_PAGE_URLS[key], kwargs={"workspace_slug": workspace.slug, "obj": slug}))
        for key, label in OBJECT_SUBTABS[sobject]
    ]


def render_settings(request, template: str, page: SettingsPage, tab: str, context: dict, status: int = 200):
    tabs = [(key, label, reverse(name, args=(request.workspace.slug, *args))) for key, label, name, args in TABS]
    return render(
        request,
        template,
        {"page": page, "metadata": page.metadata, "tab": tab, "tabs": tabs, **context},
        status=status,
    )


def saved_message(request, change) -> None:
    if change is None:
        messages.info(request, "No changes to save.")
    else:
        messages.success(request, f"Saved. {change.summary}")


def moved_permanently(request, url: str):
    """An old settings URL's answer: 301 for a visit, 308 for a form posted from a page opened before the move (so
    the browser posts it again to the new page, body included). The query string goes along."""
    query = request.META.get("QUERY_STRING", "")
    path, hash_, fragment = url.partition("#")
    target = (f"{path}?{query}" if query else path) + hash_ + fragment
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    response = HttpResponsePermanentRedirect(target)
    response.status_code = 308
    return response
