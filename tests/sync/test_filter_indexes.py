"""A field an admin makes filterable gets its index pass within a minute (the tick), not at the next reconcile.

The indexes themselves are PostgreSQL-only (tests/sync/test_postgres_indexes.py); here, on any database, the pass is
enqueued once per mapping change and runs without error (on SQLite it has nothing to create)."""

from __future__ import annotations

import pytest
from django_q.models import Task

from mappings.models import SettingsChange
from mappings.services.history import settings_change_revert, settings_section_save
from sync.models import ObjectSyncState
from sync.services.scheduler import workspace_tick

pytestmark = pytest.mark.django_db


def save_contact_mappings(workspace, *, filterable: bool):
    """What the data sync page saves (mappings/views/objects.py:sync_fields)."""
    rows = [
        {"field_name": "Title", "display_name": "Title", "filterable": filterable, "field_type": "string"},
        {"field_name": "Birthdate", "display_name": "Born", "filterable": False, "field_type": "date"},
    ]
    return settings_section_save(workspace=workspace, section="sync:Contact", rows=rows)


def index_passes():
    return list(Task.objects.filter(func="sync.tasks.sync_filter_indexes").values_list("args", "success"))


def tick(workspace, connection, capture):
    with capture(execute=True):
        workspace_tick(connection=connection)


def test_a_field_made_filterable_gets_an_index_pass_at_the_next_tick(
    workspace, sf_connection, django_capture_on_commit_callbacks
):
    save_contact_mappings(workspace, filterable=False)
    tick(workspace, sf_connection, django_capture_on_commit_callbacks)
    assert index_passes() == []  # nothing filterable, nothing to index

    save_contact_mappings(workspace, filterable=True)  # the admin ticks "filterable" on Title
    tick(workspace, sf_connection, django_capture_on_commit_callbacks)
    assert index_passes() == [((workspace.pk, ["Contact"]), True)]  # ran (inline in tests) without error
    state = ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject="Contact")
    assert state.filter_indexes_for is not None

    tick(workspace, sf_connection, django_capture_on_commit_callbacks)
    assert len(index_passes()) == 1  # the same change is not enqueued twice

    # Unticked, then put back by reverting that change from the history: a new pass for the field filterable again.
    save_contact_mappings(workspace, filterable=False)
    tick(workspace, sf_connection, django_capture_on_commit_callbacks)
    assert len(index_passes()) == 1
    settings_change_revert(change=SettingsChange.objects.filter(workspace=workspace).first())  # newest first
    tick(workspace, sf_connection, django_capture_on_commit_callbacks)
    assert index_passes()[-1] == ((workspace.pk, ["Contact"]), True)
    assert len(index_passes()) == 2
