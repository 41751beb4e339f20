"""Incremental runs against the sandbox: ties on SystemModstamp, late commits, deletes, undeletes, schema drift."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from integrations.providers.salesforce.client import SalesforceClient
from mappings.models import SyncFieldMapping
from mappings.types import SyncStatus
from sync.models import ObjectSyncState, SyncedRecord
from sync.services.runs import full_sync_start, run_execute, run_start
from sync.types import RunKind, RunStatus
from tests.sync.conftest import sf_stamp

pytestmark = pytest.mark.django_db


def import_contacts(workspace):
    run = full_sync_start(workspace=workspace, sobjects=["Contact"])
    run = run_execute(run_id=run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    return ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject="Contact")


def incremental(workspace, connection):
    run = run_start(workspace=workspace, connection=connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"])
    return run_execute(run_id=run.pk)


def live_emails(workspace):
    rows = SyncedRecord.objects.filter(workspace=workspace, sobject="Contact", is_deleted=False)
    return set(rows.values_list("email", flat=True))


def test_ties_and_late_commits_after_a_window_was_read_are_picked_up(workspace, sf_connection, org_control):
    control, org = org_control
    stamp = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    control.load_records(org, "Contact", [{"LastName": "A", "Email": "a@x.test", "SystemModstamp": sf_stamp(stamp)}])
    state = import_contacts(workspace)
    assert state.checkpoint_modstamp == stamp
    assert incremental(workspace, sf_connection).status == RunStatus.SUCCEEDED  # the window was read

    # Committed after that read: one shares the checkpoint's timestamp, one carries an earlier one (late commit).
    control.load_records(
        org,
        "Contact",
        [
            {"LastName": "Tie", "Email": "tie@x.test", "SystemModstamp": sf_stamp(stamp)},
            {"LastName": "Late", "Email": "late@x.test", "SystemModstamp": sf_stamp(stamp - dt.timedelta(minutes=4))},
        ],
    )
    run = incremental(workspace, sf_connection)

    assert run.status == RunStatus.SUCCEEDED
    assert live_emails(workspace) == {"a@x.test", "tie@x.test", "late@x.test"}
    # Re-reading the overlap is harmless: still one row per record.
    assert SyncedRecord.objects.filter(workspace=workspace, sobject="Contact").count() == 3


def test_deletes_and_undeletes_flow_through_query_all(workspace, sf_connection, org_control, sandbox):
    control, org = org_control
    ids = control.load_records(
        org, "Contact", [{"LastName": "Keep", "Email": "k@x.test"}, {"LastName": "Gone", "Email": "g@x.test"}]
    )
    import_contacts(workspace)

    SalesforceClient(sf_connection).delete("Contact", ids[1])
    run = incremental(workspace, sf_connection)
    assert run.deletes == 1
    assert live_emails(workspace) == {"k@x.test"}
    assert SyncedRecord.objects.get(sf_id=ids[1]).is_deleted

    # Undelete (Salesforce does it from the recycle bin; the sandbox has no REST route for it, so edit its state).
    sf_org = sandbox.app.state.org(org)
    with sf_org.lock:
        row = sf_org.records["Contact"][ids[1]]
        row.update(IsDeleted=False, SystemModstamp=sf_stamp(timezone.now()))
        sf_org.deleted_at["Contact"].pop(ids[1], None)
    incremental(workspace, sf_connection)
    assert live_emails(workspace) == {"k@x.test", "g@x.test"}


def test_a_field_removed_mid_sync_pauses_only_that_field(workspace, sf_connection, org_control, sandbox_org):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A", "Email": "a@x.test", "Title": "CEO"}])
    mapping = SyncFieldMapping.objects.create(
        workspace=workspace, sobject="Contact", field_name="Title", display_name="Title", field_type="string"
    )
    import_contacts(workspace)
    assert SyncedRecord.objects.get(email="a@x.test").data["Title"] == "CEO"

    # Field-level security hides Title from our user after describe was cached.
    control.set_permissions(org, sandbox_org.admin_user.profile, fields={"Contact.Title": "hidden"})
    control.load_records(org, "Contact", [{"LastName": "B", "Email": "b@x.test", "Title": "CFO"}])
    run = incremental(workspace, sf_connection)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert live_emails(workspace) == {"a@x.test", "b@x.test"}
    assert "Title" not in SyncedRecord.objects.get(email="b@x.test").data
    mapping.refresh_from_db()
    assert mapping.status == SyncStatus.MISSING
    state = ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject="Contact")
    assert state.paused_fields == ["Title"]

    # Visible again: un-paused, and synced again.
    control.set_permissions(org, sandbox_org.admin_user.profile, fields={"Contact.Title": "read"})
    from integrations.services.metadata import describe_invalidate

    describe_invalidate(connection=sf_connection, sobject="Contact")
    control.load_records(org, "Contact", [{"LastName": "C", "Email": "c@x.test", "Title": "CTO"}])
    incremental(workspace, sf_connection)
    mapping.refresh_from_db()
    assert mapping.status == SyncStatus.ACTIVE
    assert SyncedRecord.objects.get(email="c@x.test").data["Title"] == "CTO"


def test_objects_never_imported_wait_for_their_full_import(workspace, sf_connection, org_control):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A"}])
    run = incremental(workspace, sf_connection)
    assert run.status == RunStatus.SUCCEEDED
    assert run.steps.get().error_code == "NOT_IMPORTED"
    assert not SyncedRecord.objects.filter(workspace=workspace).exists()
