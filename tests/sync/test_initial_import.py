"""After connecting Salesforce, the home and sync pages say the initial import is queued and when it starts,
instead of "it starts once Salesforce is connected"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from sync.models import SyncRun
from sync.schedules import TICK_NAME, schedules_ensure
from sync.services.runs import run_execute
from sync.services.scheduler import workspace_tick
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

OBJECTS = "Account, Contact, Lead, Opportunity, Case, Task"


@pytest.fixture
def admin_client(client, admin_membership):
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    return client


def said(client, workspace) -> tuple[str, str]:
    home = client.get(reverse("workspace_home", args=[workspace.slug])).content.decode()
    sync = client.get(reverse("sync_health", args=[workspace.slug])).content.decode()
    return home, sync


def test_the_initial_import_is_queued_with_its_start_time_then_runs(
    admin_client, workspace, sf_connection, monkeypatch
):
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    schedules_ensure()
    next_tick = timezone.now() + dt.timedelta(seconds=40)
    Schedule.objects.filter(name=TICK_NAME).update(next_run=next_tick)

    home, sync = said(admin_client, workspace)
    expected = (f"Initial import of {OBJECTS} is queued: it starts at the next sync tick, about "
                f"{timezone.localtime(next_tick):%H:%M:%S} (within a minute).")  # fmt: skip
    assert expected in home and expected in sync
    assert "once Salesforce is connected" not in home

    # The tick started it; no worker has picked it up yet.
    (run,) = workspace_tick(connection=sf_connection)
    home, sync = said(admin_client, workspace)
    assert f"Initial import of {OBJECTS} is queued (run #{run.pk}). Waiting for a worker" in home
    assert f"is queued (run #{run.pk})" in sync

    assert run_execute(run_id=run.pk).status == "succeeded"
    home, sync = said(admin_client, workspace)
    assert "Initial import" not in home and "Initial import" not in sync
    assert "last full sync succeeded" in home


def test_a_stopped_worker_is_named_instead_of_a_time_in_the_past(admin_client, workspace, sf_connection):
    schedules_ensure()
    Schedule.objects.filter(name=TICK_NAME).update(next_run=timezone.now() - dt.timedelta(minutes=30))
    home, _ = said(admin_client, workspace)
    assert "starts with the next sync tick, once a worker runs (no worker has run the sync schedule lately)" in home
    assert not SyncRun.objects.exists()


def test_without_a_connection_nothing_claims_to_be_queued(admin_client, workspace):
    home, sync = said(admin_client, workspace)
    assert "Initial import" not in home and "it starts once Salesforce is connected" in home
