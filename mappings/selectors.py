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


def task_mapping_list(*, workspace, kind: str) -> list[TaskFieldMapping]:
    return list(TaskFieldMapping.objects.filter(workspace=workspace, activity_kind=kind))


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
