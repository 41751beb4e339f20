"""Reads of a workspace's CRM settings."""

from __future__ import annotations

from django.db.models import QuerySet

from mappings.models import (
    CreationDefault,
    CrmSettings,
    OptOutField,
    SequenceFieldMapping,
    SettingsChange,
    SyncFieldMapping,
    TaskFieldMapping,
)
from mappings.services.defaults import TASK_TYPE_BY_KIND
from mappings.types import ActivityKind, ValueSource


def task_mapping_list(*, workspace, kind: str) -> list[TaskFieldMapping]:
    """The Task mapping rows of `kind`, with their value translations."""
    return list(
        TaskFieldMapping.objects.filter(workspace=workspace, activity_kind=kind).prefetch_related("translations")
    )


def task_type_values_needed(*, workspace) -> dict[str, list[str]]:
    """Task `Type` values the workspace's Task mappings write, each with the labels of the activity kinds writing it.

    Before the stock mappings are saved (CRM settings never opened), the stock values they will write.
    A kind whose saved mapping sets no Type needs none.
    """
    if crm_settings_get(workspace=workspace).defaults_applied_at is None:
        by_kind = {kind: TASK_TYPE_BY_KIND[kind][0] for kind in ActivityKind.values}
    else:
        rows = TaskFieldMapping.objects.filter(
            workspace=workspace, target_field__iexact="Type", source=ValueSource.CONSTANT
        ).exclude(value="")
        by_kind = {row.activity_kind: row.value for row in rows}
    needed: dict[str, list[str]] = {}
    for kind in ActivityKind:  # kind order, so the checklist reads in the settings pages' order
        if kind.value in by_kind:
            needed.setdefault(by_kind[kind.value], []).append(str(kind.label))
    return needed


def sequence_mapping_list(*, workspace, sobject: str | None = None) -> list[SequenceFieldMapping]:
    rows = SequenceFieldMapping.objects.filter(workspace=workspace)
    return list(rows.filter(sobject=sobject) if sobject else rows)


def creation_default_list(*, workspace, sobject: str) -> list[CreationDefault]:
    return list(CreationDefault.objects.filter(workspace=workspace, sobject=sobject))


def opt_out_field_get(*, workspace, sobject: str) -> str | None:
    row = OptOutField.objects.filter(workspace=workspace, sobject=sobject).first()
    return row.target_field if row else None


def sync_mapping_list(*, workspace, sobject: str) -> list[SyncFieldMapping]:
    return list(SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject))


def crm_settings_get(*, workspace) -> CrmSettings:
    """The workspace's settings row, or an unsaved one holding the defaults (reads never write)."""
    return CrmSettings.objects.filter(workspace=workspace).first() or CrmSettings(workspace=workspace)


def settings_change_list(*, workspace) -> QuerySet[SettingsChange]:
    return SettingsChange.objects.filter(workspace=workspace).select_related("actor", "reverted_change")
