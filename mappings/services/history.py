"""Saving a settings section and reverting a saved change, both recorded in `SettingsChange`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappings.models import CrmSettings, SettingsChange
from mappings.sections import section_diff, section_label, section_restore, section_snapshot


def _lock_workspace_settings(workspace) -> None:
    """Serialise concurrent saves of one workspace's settings so before/after snapshots stay truthful."""
    CrmSettings.objects.get_or_create(workspace=workspace)
    CrmSettings.objects.select_for_update().filter(workspace=workspace).first()


def settings_section_save(
    *, workspace, section: str, rows: list[dict], actor=None, summary: str = ""
) -> SettingsChange | None:
    """Replace `section` with `rows`. Returns the recorded change, or None when nothing changed."""
    with transaction.atomic():
        _lock_workspace_settings(workspace)
        before = section_snapshot(workspace=workspace, section=section)
        section_restore(workspace=workspace, section=section, snapshot={"rows": rows})
        after = section_snapshot(workspace=workspace, section=section)
        if before == after:
            return None
        lines = section_diff(section=section, before=before, after=after)
        text = "; ".join(lines)
        return SettingsChange.objects.create(
            workspace=workspace,
            actor=actor,
            section=section,
            summary=f"{summary}: {text}" if summary else text,
            before=before,
            after=after,
        )


def settings_change_revert(*, change: SettingsChange, actor=None) -> SettingsChange:
    """Put the section back as it was before `change`; the revert is itself a change in the history."""
    with transaction.atomic():
        _lock_workspace_settings(change.workspace)
        before = section_snapshot(workspace=change.workspace, section=change.section)
        if before == change.before:
            raise ValidationError(f"{section_label(change.section)} already matches the state before that change.")
        section_restore(workspace=change.workspace, section=change.section, snapshot=change.before)
        after = section_snapshot(workspace=change.workspace, section=change.section)
        when = timezone.localtime(change.created_at).strftime("%Y-%m-%d %H:%M")
        lines = section_diff(section=change.section, before=before, after=after)
        return SettingsChange.objects.create(
            workspace=change.workspace,
            actor=actor,
            section=change.section,
            summary=f"Reverted the change of {when}: " + "; ".join(lines),
            before=before,
            after=after,
            reverted_change=change,
        )
