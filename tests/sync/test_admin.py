"""Staff start a full sync from the Connection admin (confirmation first) and watch it on the run page."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from sync.models import SyncedRecord, SyncFilter, SyncRun
from sync.services.runs import full_sync_start, sync_objects_ensure
from sync.types import RunKind, RunStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def test_start_full_sync_action_confirms_then_starts_and_shows_progress(
    staff_client, sf_connection, org_control, django_capture_on_commit_callbacks
):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "A"}, {"LastName": "B"}])
    url = reverse("admin:integrations_connection_changelist")
    data = {"action": "start_full_sync", ACTION_CHECKBOX_NAME: [sf_connection.pk]}

    confirm = staff_client.post(url, data)
    assert confirm.status_code == 200
    assert b"Yes, start the full sync" in confirm.content
    assert not SyncRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {**data, "post": "yes"})
    run = SyncRun.objects.get(kind=RunKind.FULL)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sync_syncrun_change", args=[run.pk])
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED  # django-q runs inline in tests

    page = staff_client.get(response["Location"])
    assert b'data-testid="full-sync-progress"' in page.content
    progress = staff_client.get(reverse("admin:sync_syncrun_progress", args=[run.pk])).json()
    assert progress["status"] == "succeeded"
    assert progress["records_done"] >= 2


def _inline_post(config, rows):
    data = {
        "workspace": config.workspace_id, "sobject": config.sobject, "enabled": "on", "position": config.position,
        "lookback_field": "", "lookback_days": "",
        "filters-TOTAL_FORMS": str(len(rows)), "filters-INITIAL_FORMS": "0",
        "filters-MIN_NUM_FORMS": "0", "filters-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, row in enumerate(rows):
        data.update({f"filters-{i}-{key}": value for key, value in row.items()})
    return data


def test_filters_entered_in_the_admin_are_checked_against_describe(staff_client, sf_connection):
    configs = sync_objects_ensure(workspace=sf_connection.workspace)
    config = next(c for c in configs if c.sobject == "Account")
    url = reverse("admin:sync_syncobjectconfig_change", args=[config.pk])

    bad = staff_client.post(url, _inline_post(config, [
        {"field": "NoSuchField__c", "operator": "eq", "values": '["x"]'},
        {"field": "AnnualRevenue", "operator": "gt", "values": '["lots"]'},
    ]))  # fmt: skip
    assert bad.status_code == 200
    errors = str(bad.context["inline_admin_formsets"][0].formset.errors)
    assert "no readable field" in errors and "NoSuchField__c" in errors
    assert "lots" in errors
    assert not SyncFilter.objects.exists()

    good = staff_client.post(
        url, _inline_post(config, [{"field": "Type", "operator": "eq", "values": '["Customer - Direct"]'}])
    )
    assert good.status_code == 302
    assert list(SyncFilter.objects.values_list("field", "values")) == [("Type", ["Customer - Direct"])]


def test_synced_records_are_listed_read_only(staff_client, sf_connection):
    record = SyncedRecord.objects.create(
        workspace=sf_connection.workspace, sobject="Contact", sf_id="003000000000001AAA", name="Ada Lovelace",
        system_modstamp=timezone.now(), synced_at=timezone.now(),
    )  # fmt: skip
    listing = staff_client.get(reverse("admin:sync_syncedrecord_changelist"), {"q": "Ada"})
    assert listing.status_code == 200 and b"003000000000001AAA" in listing.content
    change = staff_client.get(reverse("admin:sync_syncedrecord_change", args=[record.pk]))
    assert change.status_code == 200 and b'name="name"' not in change.content  # nothing editable


def test_a_sync_run_page_is_read_only_but_can_still_cancel(staff_client, sf_connection, monkeypatch):
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    run = full_sync_start(workspace=sf_connection.workspace)
    url = reverse("admin:sync_syncrun_change", args=[run.pk])

    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html  # no Save buttons
    assert reverse("admin:sync_syncrun_delete", args=[run.pk]) not in html  # no Delete link
    assert 'data-testid="full-sync-progress"' in html and "Cancel sync" in html

    assert staff_client.post(url, {"status": "succeeded"}).status_code == 403
    assert staff_client.post(reverse("admin:sync_syncrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED

    staff_client.post(reverse("admin:sync_syncrun_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    changelist = staff_client.get(reverse("admin:sync_syncrun_changelist"))
    assert b"Cancel selected runs" in changelist.content and b"Delete selected" not in changelist.content
