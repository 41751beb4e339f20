"""Staff start a full sync from the Connection admin (confirmation first) and watch it on the run page."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from sync.models import SyncRun
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
