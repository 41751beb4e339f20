"""Contact/Lead/Account settings: sequence fields, SMS opt-out, creation defaults, inbound sync."""

from __future__ import annotations

import json

from django.http import Http404
from django.shortcuts import redirect

from mappings.drift import mapping_drift
from mappings.forms.creation import creation_formset, required_missing, reserved_for
from mappings.forms.opt_out import OptOutForm
from mappings.forms.sequence import SequenceMappingForm
from mappings.forms.sync import sync_formset
from mappings.left_out import creation_page_left_out, sequence_page_left_out
from mappings.models import CreationDefault
from mappings.payloads import creation_payload_build
from mappings.samples import sample_prospect
from mappings.selectors import (
    creation_default_list,
    crm_settings_get,
    opt_out_field_get,
    sequence_mapping_list,
    sync_mapping_list,
)
from mappings.services import settings_section_save, sync_mappings_refresh_status
from mappings.types import CREATION_VARIABLES, CreationObject, ProspectObject
from mappings.views.common import page_load, refuse_without_metadata, render_settings, saved_message
from workspaces.permissions import crm_settings_view


def _object_or_404(sobject: str) -> str:
    if sobject not in CreationObject.values:
        raise Http404("No such object.")
    return sobject


@crm_settings_view
def sequence_fields(request, workspace_slug):
    page = page_load(request)
    mappings = sequence_mapping_list(workspace=request.workspace)
    data = request.POST if request.method == "POST" else None
    forms = [
        SequenceMappingForm(
            data,
            sobject=sobject,
            describe=page.describe(sobject),
            mappings=[m for m in mappings if m.sobject == sobject],
            readonly=not page.editable,
        )
        for sobject in ProspectObject.values
    ]
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        if all(form.is_valid() for form in forms):
            rows = [row for form in forms for row in form.rows()]
            change = settings_section_save(
                workspace=request.workspace, section="sequence", rows=rows, actor=request.user
            )
            saved_message(request, change)
            return redirect("crm_sequence_fields", workspace_slug=workspace_slug)
        status = 400
    describes = {sobject: page.describe(sobject) for sobject in ProspectObject.values}
    left_out = sequence_page_left_out(workspace=request.workspace, mappings=mappings, describes=describes)
    context = {"forms": forms, "left_out": left_out}
    return render_settings(request, "mappings/sequence.html", page, "sequence", context, status=status)


@crm_settings_view
def opt_out(request, workspace_slug):
    page = page_load(request)
    current = {s: opt_out_field_get(workspace=request.workspace, sobject=s) for s in ProspectObject.values}
    describes = {s: page.describe(s) for s in ProspectObject.values}
    data = request.POST if request.method == "POST" else None
    form = OptOutForm(data, describes=describes, current=current, readonly=not page.editable)
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        if form.is_valid():
            change = settings_section_save(
                workspace=request.workspace, section="opt_out", rows=form.rows(), actor=request.user
            )
            saved_message(request, change)
            return redirect("crm_opt_out", workspace_slug=workspace_slug)
        status = 400
    return render_settings(request, "mappings/opt_out.html", page, "opt_out", {"form": form}, status=status)


@crm_settings_view
def creation_defaults_index(request, workspace_slug):
    return redirect("crm_creation_defaults", workspace_slug=workspace_slug, sobject=CreationObject.ACCOUNT)


@crm_settings_view
def creation_defaults(request, workspace_slug, sobject):
    sobject = _object_or_404(sobject)
    page = page_load(request)
    describe = page.describe(sobject)
    mappings = creation_default_list(workspace=request.workspace, sobject=sobject)
    crm = crm_settings_get(workspace=request.workspace)
    linkedin_field = {"Contact": crm.linkedin_url_field_contact, "Lead": crm.linkedin_url_field_lead}.get(sobject, "")
    kwargs = {"sobject": sobject, "describe": describe, "mappings": mappings, "linkedin_field": linkedin_field}
    status = 200
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
            return redirect("crm_creation_defaults", workspace_slug=workspace_slug, sobject=sobject)
        status = 400
        # As on the Task pages, the preview follows what was submitted (minus rows with errors).
        submitted = [
            CreationDefault(workspace=request.workspace, sobject=sobject, position=i, **row)
            for i, row in enumerate(formset.valid_rows())
        ]
    else:
        formset = creation_formset(readonly=not page.editable, **kwargs)
        submitted = None
    drift = mapping_drift(mappings, describe, variables=CREATION_VARIABLES)
    preview = creation_payload_build(
        workspace=request.workspace, sobject=sobject, prospect=sample_prospect(), describe=describe, mappings=submitted
    )
    context = {
        "sobject": sobject,
        "objects": CreationObject.choices,
        "formset": formset,
        "rows": [(form, drift.get(form.initial.get("target_field", ""))) for form in formset.forms],
        "drift": drift,
        "left_out": creation_page_left_out(
            workspace=request.workspace, sobject=sobject, mappings=mappings, describe=describe
        ),
        "missing": required_missing(describe, mappings, reserved_for(sobject, linkedin_field)),
        "preview_json": json.dumps(preview, indent=2, ensure_ascii=False),
        "preview_submitted": submitted is not None,
    }
    return render_settings(request, "mappings/creation.html", page, "defaults", context, status=status)


@crm_settings_view
def sync_fields_index(request, workspace_slug):
    return redirect("crm_sync_fields", workspace_slug=workspace_slug, sobject=CreationObject.ACCOUNT)


@crm_settings_view
def sync_fields(request, workspace_slug, sobject):
    sobject = _object_or_404(sobject)
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
            return redirect("crm_sync_fields", workspace_slug=workspace_slug, sobject=sobject)
        status = 400
    else:
        formset = sync_formset(sobject=sobject, describe=describe, mappings=mappings, readonly=not page.editable)
    context = {"sobject": sobject, "objects": CreationObject.choices, "formset": formset}
    return render_settings(request, "mappings/sync.html", page, "sync", context, status=status)
