"""Full sync against the sandbox: REST for small objects, Bulk API 2.0 for large ones, sweep of purged rows."""

from __future__ import annotations

import pytest

from mappings.models import SyncFieldMapping
from sync.models import ObjectSyncState, SyncedRecord, SyncRun
from sync.services import full as full_module
from sync.services.runs import full_sync_start, run_execute
from sync.types import RunStatus, StepMode

pytestmark = pytest.mark.django_db


def contacts(n, **extra):
    return [{"LastName": f"Person {i:05d}", "Email": f"p{i}@example.test", **extra} for i in range(n)]


def start_and_run(workspace, sobjects=("Contact",)):
    run = full_sync_start(workspace=workspace, sobjects=list(sobjects))
    return run_execute(run_id=run.pk)


def test_full_sync_small_object_uses_rest_and_keeps_mapped_fields(workspace, sf_connection, org_control):
    control, org = org_control
    control.load_records(org, "Contact", contacts(5, Title="CTO"))
    SyncFieldMapping.objects.create(
        workspace=workspace, sobject="Contact", field_name="Title", display_name="Job title", field_type="string"
    )

    run = start_and_run(workspace)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    step = run.steps.get()
    assert step.mode == StepMode.REST
    rows = SyncedRecord.objects.filter(workspace=workspace, sobject="Contact", is_deleted=False)
    assert rows.count() == 5
    row = rows.get(email="p3@example.test")
    assert row.name == "Person 00003"
    assert row.data["Title"] == "CTO"
    state = ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject="Contact")
    assert state.imported_at is not None
    assert state.checkpoint_modstamp is not None
    assert run.records_done == 5


def test_rest_pages_of_records_changed_in_the_same_second_are_each_read_once(
    workspace, sf_connection, org_control, monkeypatch
):
    """The keyset cursor keeps SystemModstamp's milliseconds: cut to the second, every page after the first matched
    the rows already read again and the import read the same page until the API budget ran out."""
    control, org = org_control
    control.load_records(org, "Contact", contacts(17))  # one load: every row has the same SystemModstamp
    monkeypatch.setattr(full_module, "REST_PAGE_SIZE", 5)
    monkeypatch.setattr("sync.services.runs.budget_percent_for", lambda workspace: 1)  # stop a loop at 150 calls
    control.clear_requests()

    run = start_and_run(workspace)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.records_done == 17
    assert SyncedRecord.objects.filter(workspace=workspace, sobject="Contact").count() == 17
    pages = [r for r in control.requests(org=org) if "ORDER BY SystemModstamp" in r["query"]]
    assert len(pages) == 4


def test_full_sync_large_object_streams_bulk_pages_in_batches(workspace, sf_connection, org_control, monkeypatch):
    control, org = org_control
    control.load_records(org, "Contact", contacts(1234), return_ids=False)
    monkeypatch.setattr(full_module, "REST_MAX_RECORDS", 100)
    monkeypatch.setattr(full_module, "BULK_PAGE_SIZE", 500)
    monkeypatch.setattr(full_module, "BATCH_SIZE", 200)

    run = start_and_run(workspace)

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    step = run.steps.get()
    assert step.mode == StepMode.BULK
    assert step.bulk_job_id
    assert step.records_done == 1234
    assert run.records_expected == 1234
    assert SyncedRecord.objects.filter(workspace=workspace, sobject="Contact", is_deleted=False).count() == 1234
    assert run.api_calls > 0


def test_full_sync_marks_rows_salesforce_no_longer_has_as_deleted(workspace, sf_connection, org_control):
    control, org = org_control
    control.load_records(org, "Contact", contacts(3))
    start_and_run(workspace)
    ghost = SyncedRecord.objects.filter(workspace=workspace, sobject="Contact").first()
    SyncedRecord.objects.filter(pk=ghost.pk).update(sf_id="003000000000001AAA")  # a row Salesforce never had

    run = start_and_run(workspace)

    assert run.status == RunStatus.SUCCEEDED
    assert SyncedRecord.objects.get(pk=ghost.pk).is_deleted
    assert SyncedRecord.objects.filter(workspace=workspace, sobject="Contact", is_deleted=False).count() == 3


def test_only_one_full_run_at_a_time(workspace, sf_connection):
    first = full_sync_start(workspace=workspace)
    assert first is not None
    assert full_sync_start(workspace=workspace) is None
    assert SyncRun.objects.filter(workspace=workspace).count() == 1
