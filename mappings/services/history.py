"""Saving a settings section and reverting a saved change, both recorded in `SettingsChange`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappings.models import SettingsChange
from mappings.sections import section_diff, section_label, section_of, section_restore, section_snapshot
from workspaces.models import Workspace


def _lock_workspace_settings(workspace) -> None:
    """Serialise concurrent saves of one workspace's settings so before/after snapshots stay truthful.

    The workspace row is the lock, not the CrmSettings row: creating that row here would collide with a staff
    member adding it in the Django admin.
    """
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()


def _record(*, workspace, section: str, before: dict, after: dict, actor, summary: str) -> SettingsChange | None:
    if before == after:
        return None
    text = "; ".join(section_diff(section=section, before=before, after=after))
    return SettingsChange.objects.create(
        workspace=workspace,
        actor=actor,
        section=section,
        summary=f"{summary}: {text}" if summary else text,
        before=before,
        after=after,
    )


def settings_section_save(
    *,
    workspace,
    section: str,
    rows: list[dict],
    actor=None,
    summary: str = "",
    keep: Callable[[list[dict]], list[dict]] | None = None,
    kept_first: bool = False,
) -> SettingsChange | None:
    """Replace `section` with `rows`. Returns the recorded change, or None when nothing changed.

    `keep` saves a part of a section (one page's form of several): given the saved rows, it returns those that
    stay, after `rows` (before them with `kept_first`, so an unchanged section keeps its order). It runs under the
    lock, so two forms of one section saved at once cannot drop each other's rows.
    """
    with transaction.atomic():
        _lock_workspace_settings(workspace)
        before = section_snapshot(workspace=workspace, section=section)
        if keep is not None:
            kept = keep(before["rows"])
            rows = kept + list(rows) if kept_first else list(rows) + kept
        section_restore(workspace=workspace, section=section, snapshot={"rows": rows})
        after = section_snapshot(workspace=workspace, section=section)
        return _record(workspace=workspace, section=section, before=before, after=after, actor=actor, summary=summary)


def settings_rows_edit(
    *, rows: Iterable, apply: Callable[[], None], actor=None, summary: str = ""
) -> list[SettingsChange]:
    """Run `apply`, a direct edit of settings rows (the Django admin), and record what it did to their sections.

    `rows` are the model instances touched, as they were before and as they will be, so a row moved to another
    section (or workspace) is recorded on both sides.
    """
    targets = {(row.workspace_id, section_of(row)): row.workspace for row in rows}
    with transaction.atomic():
        for workspace in {ws.pk: ws for ws in targets.values()}.values():
            _lock_workspace_settings(workspace)
        before = {key: section_snapshot(workspace=ws, section=key[1]) for key, ws in targets.items()}
        apply()
        changes = []
        for key, workspace in targets.items():
            after = section_snapshot(workspace=workspace, section=key[1])
            change = _record(
                workspace=workspace, section=key[1], before=before[key], after=after, actor=actor, summary=summary
            )
            if change is not None:
                changes.append(change)
        return changes


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
