"""Contact, Lead and Account Mappings: sequence fields, creation defaults, the SMS opt-out field, data sync fields.

One page per object and subtab, as the setup guide lays them out; the old pages' addresses move here for good."""

from __future__ import annotations

import json

from django.shortcuts import redirect
from django.urls import reverse

from mappings.drift import mapping_drift
from mappings.forms.company import CompanyMappingForm, account_rows_split
from mappings.forms.creation import creation_formset, required_missing, reserved_for
from mappings.forms.opt_out import OptOutForm
from mappings.forms.sequence import SequenceMappingForm
from mappings.forms.sync import sync_formset
from mappings.layout import OBJECT_PAGE_URLS, OBJECT_SUBTABS
from mappings.left_out import creation_page_left_out, sequence_page_left_out
from mappings.models import CreationDefault
from mappings.payloads import creation_payload_build
from mappings.samples import sample_prospect
from mappings.sections import section_snapshot
from mappings.selectors import (
    creation_default_list,
    crm_settings_get,
    opt_out_field_get,
    sequence_mapping_list,
    sync_mapping_list,
)
from mappings.services import settings_section_save, sync_mappings_refresh_status
from mappings.types import CREATION_VARIABLES, CreationObject
from mappings.views.common import (
    moved_permanently,
    object_or_404,
    object_subtabs,
    page_load,
    refuse_without_metadata,
    render_settings,
    saved_message,
)
from workspaces.permissions import crm_settings_view


def _page_url(workspace, subtab: str, sobject: str) -> str:
    return reverse(OBJECT_PAGE_URLS[subtab], kwargs={"workspace_slug": workspace.slug, "obj": sobject.lower()})


def _render(request, template: str, page, sobject: str, subtab: str, context: dict, status: int = 200):
    context = {
        "sobject": sobject,
        "object_label": sobject,
        "subtabs": object_subtabs(request.workspace, sobject),
        "subtab": subtab,
        **context,
    }
    return render_settings(request, template, page, sobject.lower(), context, status=status)


@crm_settings_view
def object_index(request, workspace_slug, obj):
    sobject = object_or_404(obj)
    return redirect(_page_url(request.workspace, OBJECT_SUBTABS[sobject][0][0], sobject))


# -- Sequence Field Mappings (Contact, Lead) -------------------------------------------------------------------
@crm_settings_view
def object_sequence(request, workspace_slug, obj):
    sobject = object_or_404(obj, subtab="sequence")
    page = page_load(request)
    mappings = sequence_mapping_list(workspace=request.workspace, sobject=sobject)
    data = request.POST if request.method == "POST" else None
    form = SequenceMappingForm(
        data, sobject=sobject, describe=page.describe(sobject), mappings=mappings, readonly=not page.editable
    )
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        if form.is_valid():
            # One section holds both objects' sequence fields (its history and reverts span both): keep the other's.
            change = settings_section_save(
                workspace=request.workspace, section="sequence", rows=form.rows(), actor=request.user,
                keep=lambda rows: [r for r in rows if r["sobject"] != sobject],
            )  # fmt: skip
            saved_message(request, change)
            return redirect(_page_url(request.workspace, "sequence", sobject))
        status = 400
    left_out = sequence_page_left_out(
        workspace=request.workspace, mappings=mappings, describes={sobject: page.describe(sobject)}
    )
    context = {"form": form, "left_out": left_out}
    return _render(request, "mappings/sequence.html", page, sobject, "sequence", context, status=status)


# -- SMS (Contact, Lead) --------------------------------------------------------------------------------------
@crm_settings_view
def object_sms(request, workspace_slug, obj):
    sobject = object_or_404(obj, subtab="sms")
    page = page_load(request)
    describe = page.describe(sobject)
    sequence_fields = [m.target_field for m in sequence_mapping_list(workspace=request.workspace, sobject=sobject)]
    form = OptOutForm(
        request.POST if request.method == "POST" else None,
        sobject=sobject,
        describe=describe,
        current=opt_out_field_get(workspace=request.workspace, sobject=sobject),
        exclude=sequence_fields,
        readonly=not page.editable,
    )
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        if form.is_valid():
            # The section's write touches only the objects given, so the other object's choice stays as it is.
            change = settings_section_save(
                workspace=request.workspace, section="opt_out", rows=form.rows(), actor=request.user
            )
            saved_message(request, change)
            return redirect(_page_url(request.workspace, "sms", sobject))
        status = 400
    context = {"form": form, "prefix": page.metadata.connection.field_prefix if page.metadata.connection else "sb_"}
    return _render(request, "mappings/opt_out.html", page, sobject, "sms", context, status=status)


# -- Creation Defaults (Account, Contact, Lead) ---------------------------------------------------------------
def _creation_preview(request, sobject: str, describe, submitted):
    preview = creation_payload_build(
        workspace=request.workspace, sobject=sobject, prospect=sample_prospect(), describe=describe, mappings=submitted
    )
    return json.dumps(preview, indent=2, ensure_ascii=False)


def _as_defaults(workspace, sobject: str, rows: list[dict]) -> list[CreationDefault]:
    return [CreationDefault(workspace=workspace, sobject=sobject, position=i, **row) for i, row in enumerate(rows)]


@crm_settings_view
def object_defaults(request, workspace_slug, obj):
    sobject = object_or_404(obj, subtab="defaults")
    if sobject == CreationObject.ACCOUNT:
        return _account_defaults(request)
    page = page_load(request)
    describe = page.describe(sobject)
    mappings = creation_default_list(workspace=request.workspace, sobject=sobject)
    crm = crm_settings_get(workspace=request.workspace)
    linkedin_field = {"Contact": crm.linkedin_url_field_contact, "Lead": crm.linkedin_url_field_lead}[sobject]
    kwargs = {"sobject": sobject, "describe": describe, "mappings": mappings, "linkedin_field": linkedin_field}
    status = 200
    submitted = None
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        formset = creation_formset(request.POST, readonly=False, **kwargs)
        if formset.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section=f"creation:{sobject}", rows=formset.rows(), actor=request.user
            )
            saved_message(request, change)
            return redirect(_page_url(request.workspace, "defaults", sobject))
        status = 400
        # As on the Task pages, the preview follows what was submitted (minus rows with errors).
        submitted = _as_defaults(request.workspace, sobject, formset.valid_rows())
    else:
        formset = creation_formset(readonly=not page.editable, **kwargs)
    drift = mapping_drift(mappings, describe, variables=CREATION_VARIABLES)
    context = {
        "formset": formset,
        "rows": [(form, drift.get(form.initial.get("target_field", ""))) for form in formset.forms],
        "drift": drift,
        "left_out": creation_page_left_out(
            workspace=request.workspace, sobject=sobject, mappings=mappings, describe=describe
        ),
        "missing": required_missing(describe, mappings, reserved_for(sobject, linkedin_field)),
        "preview_json": _creation_preview(request, sobject, describe, submitted),
        "preview_submitted": submitted is not None,
    }
    return _render(request, "mappings/creation.html", page, sobject, "defaults", context, status=status)


def _account_defaults(request):
    """Two forms, each with its own save: LinkedIn Company Mappings and Other Defaults (one history section)."""
    sobject = CreationObject.ACCOUNT
    page = page_load(request)
    describe = page.describe(sobject)
    saved_rows = section_snapshot(workspace=request.workspace, section="creation:Account")["rows"]
    linkedin_rows, other_rows = account_rows_split(saved_rows)
    linkedin_mappings = _as_defaults(request.workspace, sobject, linkedin_rows)
    other_mappings = _as_defaults(request.workspace, sobject, other_rows)
    posted = request.POST.get("part") if request.method == "POST" else None
    status, submitted = 200, None
    company_form = CompanyMappingForm(
        request.POST if posted == "linkedin" else None,
        describe=describe, rows=linkedin_rows, others=other_rows, readonly=not page.editable,
    )  # fmt: skip
    kwargs = {"sobject": sobject, "describe": describe, "mappings": other_mappings}
    if posted == "other":
        formset = creation_formset(request.POST, readonly=False, **kwargs)
    else:
        formset = creation_formset(readonly=not page.editable, **kwargs)
    # Fields Salesforce requires may be filled by either part: each form only asks for what the other leaves open,
    # and neither may fill a field the other already does.
    linkedin_targets = {r["target_field"].lower() for r in linkedin_rows}
    formset.required_fields = [f for f in formset.required_fields if f["name"].lower() not in linkedin_targets]
    formset.taken = dict.fromkeys(linkedin_targets, "a LinkedIn company mapping")
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        url = _page_url(request.workspace, "defaults", sobject)
        if posted == "linkedin" and company_form.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section="creation:Account", rows=company_form.rows(),
                actor=request.user, keep=lambda rows: account_rows_split(rows)[1],
            )  # fmt: skip
            saved_message(request, change)
            return redirect(f"{url}#linkedin-company")
        if posted == "other" and formset.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section="creation:Account", rows=formset.rows(), actor=request.user,
                keep=lambda rows: account_rows_split(rows)[0], kept_first=True,
            )  # fmt: skip
            saved_message(request, change)
            return redirect(f"{url}#other-defaults")
        status = 400
        if posted == "linkedin":
            submitted = _as_defaults(request.workspace, sobject, company_form.rows_valid() + other_rows)
        elif posted == "other":
            submitted = _as_defaults(request.workspace, sobject, linkedin_rows + formset.valid_rows())
    drift = mapping_drift(other_mappings, describe, variables=CREATION_VARIABLES)
    context = {
        "company_form": company_form,
        "formset": formset,
        "rows": [(form, drift.get(form.initial.get("target_field", ""))) for form in formset.forms],
        "drift": drift,
        "left_out": creation_page_left_out(
            workspace=request.workspace,
            sobject=sobject,
            mappings=linkedin_mappings + other_mappings,
            describe=describe,
        ),  # fmt: skip
        "missing": required_missing(describe, linkedin_mappings + other_mappings, reserved_for(sobject)),
        "preview_json": _creation_preview(request, sobject, describe, submitted),
        "preview_submitted": submitted is not None,
        "posted": posted,
        "unknown_part": request.method == "POST" and posted not in ("linkedin", "other"),
    }
    return _render(request, "mappings/account_defaults.html", page, sobject, "defaults", context, status=status)


# -- Data Sync Mappings (Account, Contact, Lead) --------------------------------------------------------------
@crm_settings_view
def object_sync(request, workspace_slug, obj):
    sobject = object_or_404(obj, subtab="sync")
    page = page_load(request)
    describe = page.describe(sobject)
    mappings = sync_mapping_list(workspace=request.workspace, sobject=sobject)
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        formset = sync_formset(request.POST, sobject=sobject, describe=describe, mappings=mappings, readonly=False)
        if formset.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section=f"sync:{sobject}", rows=formset.rows(), actor=request.user
            )
            sync_mappings_refresh_status(workspace=request.workspace, sobject=sobject, describe=describe)
            saved_message(request, change)
            return redirect(_page_url(request.workspace, "sync", sobject))
        status = 400
    else:
        formset = sync_formset(sobject=sobject, describe=describe, mappings=mappings, readonly=not page.editable)
    return _render(request, "mappings/sync.html", page, sobject, "sync", {"formset": formset}, status=status)


# -- The addresses of the pages before the setup guide's layout -----------------------------------------------
@crm_settings_view
def moved_sequence_fields(request, workspace_slug):
    return moved_permanently(request, _page_url(request.workspace, "sequence", "Contact"))


@crm_settings_view
def moved_opt_out(request, workspace_slug):
    return moved_permanently(request, _page_url(request.workspace, "sms", "Contact"))


@crm_settings_view
def moved_creation_defaults(request, workspace_slug, sobject: str = "Account"):
    sobject = object_or_404(sobject.lower())
    return moved_permanently(request, _page_url(request.workspace, "defaults", sobject))


@crm_settings_view
def moved_sync_fields(request, workspace_slug, sobject: str = "Account"):
    sobject = object_or_404(sobject.lower())
    return moved_permanently(request, _page_url(request.workspace, "sync", sobject))
