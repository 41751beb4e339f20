"""Task Mappings: one subtab per kind of touch (Call, Email, Basic, LinkedIn, SMS), each section with its own form,
save button and live preview of the Task a sample activity would create."""

from __future__ import annotations

import json

from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from mappings.drift import mapping_drift
from mappings.forms.creation import required_missing
from mappings.forms.task import TaskSectionForms, rows_as_mappings
from mappings.layout import KIND_PLACE, TASK_GROUPS
from mappings.left_out import task_page_left_out
from mappings.metadata import crm_metadata_get
from mappings.payloads import TASK_RESERVED_FIELDS, task_payload_build
from mappings.samples import sample_activity
from mappings.selectors import crm_settings_get, task_mapping_list
from mappings.services import settings_section_save
from mappings.types import ActivityKind, LogMode
from mappings.views.common import (
    moved_permanently,
    page_load,
    refuse_without_metadata,
    render_settings,
    saved_message,
)
from workspaces.permissions import crm_settings_view


def _kind_or_404(kind: str) -> str:
    if kind not in ActivityKind.values:
        raise Http404("No such activity kind.")
    return kind


def _preview(request, kind: str, describe: dict | None, mappings=None, state: str = "completed"):
    activity = sample_activity(kind, state=state, rep_name=request.user.full_name, rep_email=request.user.email)
    return task_payload_build(workspace=request.workspace, activity=activity, task_describe=describe, mappings=mappings)


def task_page_url(workspace, kind: str) -> str:
    """The Task Mappings page showing `kind`, at its section."""
    group, anchor = KIND_PLACE[kind]
    url = reverse("crm_task_mappings", kwargs={"workspace_slug": workspace.slug, "kind": group})
    return url if len(TASK_GROUPS[group][1]) == 1 else f"{url}#{anchor}"


@crm_settings_view
def task_mappings_index(request, workspace_slug):
    return redirect("crm_task_mappings", workspace_slug=workspace_slug, kind="call")


@crm_settings_view
def task_mappings(request, workspace_slug, kind):
    """A Task Mappings subtab; an activity kind's old address (`tasks/email_sent/`) moved to its subtab's section."""
    if kind not in TASK_GROUPS:
        return moved_permanently(request, task_page_url(request.workspace, _kind_or_404(kind)))
    return _task_group(request, kind)


def _posted_kind(request, kinds: list[str]) -> str | None:
    """Which section's form was submitted: its formset's management form says so."""
    return next((kind for kind in kinds if f"task-{kind}-TOTAL_FORMS" in request.POST), None)


def _task_group(request, group: str):
    page = page_load(request)
    describe = page.describe("Task")
    label, group_sections = TASK_GROUPS[group]
    kinds = [kind for kind, _, _ in group_sections]
    posted = None
    status = 200
    if request.method == "POST":
        refused = refuse_without_metadata(request, page)
        if refused:
            return refused
        posted = _posted_kind(request, kinds)
        if posted is None:
            status = 400
    log_all = crm_settings_get(workspace=request.workspace).log_mode == LogMode.ALL
    sections = []
    for kind, title, anchor in group_sections:
        mappings = task_mapping_list(workspace=request.workspace, kind=kind)
        submitted = None
        if kind == posted:
            forms = TaskSectionForms(request.POST, kind=kind, task_describe=describe, mappings=mappings, readonly=False)
            if forms.is_valid():
                change = settings_section_save(
                    workspace=request.workspace, section=f"task:{kind}", rows=forms.rows(), actor=request.user
                )
                saved_message(request, change)
                return redirect(task_page_url(request.workspace, kind))
            status = 400
            # The preview shows what was just submitted (minus rows with errors), not the saved mapping it replaces.
            submitted = rows_as_mappings(workspace=request.workspace, kind=kind, rows=forms.valid_rows())
        else:
            forms = TaskSectionForms(kind=kind, task_describe=describe, mappings=mappings, readonly=not page.editable)
        formset = forms.mappings
        drift = mapping_drift(mappings, describe)
        preview = _preview(request, kind, describe, mappings=submitted)
        sections.append(
            {
                "kind": kind,
                "title": title,
                "anchor": anchor,
                "kind_label": ActivityKind(kind).label,
                "formset": formset,
                "translations": forms.translations,
                "rows": [(form, drift.get(form.initial.get("target_field", ""))) for form in formset.forms],
                "drift": drift,
                "left_out": task_page_left_out(
                    workspace=request.workspace, kind=kind, mappings=mappings, describe=describe
                ),
                "missing": required_missing(describe, mappings, TASK_RESERVED_FIELDS),
                "preview": preview,
                "preview_submitted": submitted is not None,
                "preview_json": json.dumps(preview.fields, indent=2, ensure_ascii=False),
            }
        )
    context = {
        "group": group,
        "group_label": label,
        "groups": [(slug, text) for slug, (text, _) in TASK_GROUPS.items()],
        "sections": sections,
        "log_all": log_all,
        "nothing_posted": request.method == "POST" and posted is None,
    }
    return render_settings(request, "mappings/tasks.html", page, "tasks", context, status=status)


@crm_settings_view
def task_preview(request, workspace_slug, kind):
    """The Task a sample activity would produce; with the page's form data in the query, for the unsaved edit."""
    kind = _kind_or_404(kind)
    describe = crm_metadata_get(workspace=request.workspace, sobjects=("Task",)).describe("Task")
    mappings, invalid = None, False
    if f"task-{kind}-TOTAL_FORMS" in request.GET:
        saved = task_mapping_list(workspace=request.workspace, kind=kind)
        forms = TaskSectionForms(request.GET, kind=kind, task_describe=describe, mappings=saved, readonly=False)
        invalid = not forms.is_valid()
        mappings = rows_as_mappings(workspace=request.workspace, kind=kind, rows=forms.valid_rows())
    state = "open" if request.GET.get("state") == "open" else "completed"
    result = _preview(request, kind, describe, mappings=mappings, state=state)
    return JsonResponse(
        {
            "fields": result.fields,
            "warnings": result.warnings,
            "json": json.dumps(result.fields, indent=2, ensure_ascii=False),
            "invalid": invalid,
        }
    )
