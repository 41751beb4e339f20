"""A data sync field added after an object's import fills in for the records already here, by itself: the minute
tick starts a backfill of just that object and those fields, with progress, instead of empty cells until a full
sync."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote_plus

import pytest
from django.urls import reverse
from django.utils import timezone

from mappings.services.history import settings_section_save
from sync.models import ObjectSyncState, SyncedRecord, SyncRun
from sync.selectors import run_progress
from sync.services import backfill as backfill_module
from sync.services.runs import full_sync_start, run_execute
from sync.services.scheduler import workspace_tick
from sync.types import RunKind
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

INDUSTRIES = ["Energy", "Retail", "Banking"]


def save_account_fields(workspace, *fields: tuple[str, str, str]):
    """What the data sync page saves for Account (mappings.services.history, section sync:Account)."""
    rows = [{"field_name": n, "display_name": label, "filterable": False, "field_type": t} for n, label, t in fields]
    return settings_section_save(workspace=workspace, section="sync:Account", rows=rows)


@pytest.fixture
def imported(workspace, sf_connection, org_control):
    """17 Accounts imported with Type mapped, before anyone mapped Industry or NumberOfEmployees."""
    control, org = org_control
    control.load_records(org, "Account", [
        {"Name": f"Acme {i:02d}", "Type": "Customer - Direct", "Industry": INDUSTRIES[i % 3], "NumberOfEmployees": i}
        for i in range(17)
    ])  # fmt: skip
    save_account_fields(workspace, ("Type", "Type", "picklist"))
    assert run_execute(run_id=full_sync_start(workspace=workspace).pk).status == "succeeded"
    accounts = SyncedRecord.objects.filter(workspace=workspace, sobject="Account")
    assert accounts.count() == 17 and not any("Industry" in r.data for r in accounts)
    return control, org


def tick(connection) -> list[SyncRun]:
    return [r for r in workspace_tick(connection=connection) if r and r.kind == RunKind.BACKFILL]


def test_a_new_field_fills_in_for_existing_records_by_itself(workspace, sf_connection, imported, monkeypatch):
    control, org = imported
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    monkeypatch.setattr(backfill_module, "PAGE_SIZE", 5)  # four pages
    assert tick(sf_connection) == []  # nothing new mapped: nothing to do

    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"),
                        ("NumberOfEmployees", "Employees", "int"))  # fmt: skip
    (run,) = tick(sf_connection)
    assert [(s.sobject, s.fields) for s in run.steps.all()] == [("Account", ["Industry", "NumberOfEmployees"])]
    assert tick(sf_connection) == []  # one at a time

    control.clear_requests()
    run = run_execute(run_id=run.pk)
    assert run.status == "succeeded"
    progress = run_progress(run=run)
    assert (progress["records_done"], progress["records_expected"], progress["percent"]) == (17, 17, 100)
    assert progress["steps"][0]["fields"] == ["Industry", "NumberOfEmployees"]

    by_name = {r.name: r.data for r in SyncedRecord.objects.filter(workspace=workspace, sobject="Account")}
    assert by_name["Acme 04"]["Industry"] == "Retail" and by_name["Acme 04"]["NumberOfEmployees"] == 4
    assert all(d["Type"] == "Customer - Direct" and d["Name"].startswith("Acme") for d in by_name.values())
    assert {d["Industry"] for d in by_name.values()} == set(INDUSTRIES)

    # Just that object and those fields: a count and four pages, nothing else re-read.
    queries = [unquote_plus(r["query"]).removeprefix("q=") for r in control.requests(org=org) if "/query" in r["path"]]
    assert len(queries) == 5 and all("FROM Account" in q for q in queries)
    assert all(q.startswith("SELECT Id, SystemModstamp, Industry, NumberOfEmployees FROM") for q in queries[1:])
    state = ObjectSyncState.objects.get(object_config__workspace=workspace, object_config__sobject="Account")
    assert state.fields_complete == ["Industry", "NumberOfEmployees", "Type"]
    assert tick(sf_connection) == []


def test_a_record_changed_since_is_not_overwritten_with_an_older_value(workspace, sf_connection, imported):
    later = timezone.now() + dt.timedelta(hours=1)
    record = SyncedRecord.objects.get(workspace=workspace, sobject="Account", name="Acme 01")
    record.data = {**record.data, "Industry": "Newer value"}
    record.system_modstamp = later  # an incremental window wrote a newer version, new field included
    record.save()
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    (run,) = tick(sf_connection)
    assert run_execute(run_id=run.pk).status == "succeeded"
    record.refresh_from_db()
    assert record.data["Industry"] == "Newer value"
    assert (
        SyncedRecord.objects.get(workspace=workspace, sobject="Account", name="Acme 02").data["Industry"] == "Banking"
    )


def test_a_field_mapped_again_is_backfilled_again(workspace, sf_connection, imported):
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    assert run_execute(run_id=tick(sf_connection)[0].pk).status == "succeeded"
    save_account_fields(workspace, ("Type", "Type", "picklist"))  # removed: its values go stale from now on
    assert tick(sf_connection) == []
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    (again,) = tick(sf_connection)
    assert again.steps.get().fields == ["Industry"]


def test_a_failing_backfill_is_not_retried_every_minute(workspace, sf_connection, imported):
    control, org = imported
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    (run,) = tick(sf_connection)
    control.fault(org=org, path="/services/data/*/query*", status=400, error_code="MALFORMED_QUERY", times=3)
    try:
        run = run_execute(run_id=run.pk)
    finally:
        control.clear_faults()
    assert run.status == "failed" and run.steps.get().error_code == "MALFORMED_QUERY"
    assert tick(sf_connection) == []  # not again within RETRY_AFTER
    later = timezone.now() + backfill_module.RETRY_AFTER + dt.timedelta(minutes=1)
    assert [r.kind for r in workspace_tick(connection=sf_connection, now=later) if r] == ["backfill"]


def test_the_sync_page_shows_the_backfill_and_its_fields(workspace, sf_connection, imported, client, admin_membership):
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    (run,) = tick(sf_connection)
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    html = client.get(reverse("sync_health", args=[workspace.slug])).content.decode()
    assert "Filling in new fields" in html and f"Field backfill #{run.pk}" in html
    assert 'data-step="Account"' in html and "(Industry)" in html
    assert "{#" not in html and "Live progress of a sync run" not in html  # the template's comment stays a comment
    run_execute(run_id=run.pk)
    data = client.get(reverse("sync_run_progress", args=[workspace.slug, run.pk])).json()
    assert (data["status"], data["records_done"], data["records_expected"], data["percent"]) == (
        "succeeded",
        17,
        17,
        100,
    )
