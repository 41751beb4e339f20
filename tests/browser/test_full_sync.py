"""A workspace admin starts a full sync on the sync health page and watches the progress bar move without
reloading the page; the run is fed by the sandbox, batch by batch."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from sync.models import SyncedRecord, SyncRun
from sync.services import full as full_module
from sync.services.runs import run_execute
from tests.browser.signin import sign_in
from tests.sync import conftest as sync_fixtures

# The sync tests' fixtures, shared here: a workspace whose admin connection points at a fresh sandbox org.
admin_membership = sync_fixtures.admin_membership
workspace = sync_fixtures.workspace
sf_connection = sync_fixtures.sf_connection
org_control = sync_fixtures.org_control

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gated_sync(workspace, sf_connection, org_control, monkeypatch, settings):
    """3,000 Contacts in small pages and batches; the worker is a thread the test starts, and each batch commits only
    when the test releases the returned semaphore, so the page can be watched between batches."""
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": f"P{i:04d}"} for i in range(3000)], return_ids=False)
    monkeypatch.setattr(full_module, "REST_MAX_RECORDS", 10)
    monkeypatch.setattr(full_module, "BULK_PAGE_SIZE", 500)
    monkeypatch.setattr(full_module, "BATCH_SIZE", 250)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    gate = threading.Semaphore(0)
    real_commit = full_module._commit

    def gated_commit(*args, **kwargs):
        gate.acquire(timeout=20)
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(full_module, "_commit", gated_commit)
    return gate


def start_from_the_page(page, live_server, workspace, admin_membership):
    """Sign in, start a full sync on the sync health page (confirming), see it queued; return the progress box and
    the worker thread running it."""
    sign_in(page, f"{live_server.url}/accounts/login/", admin_membership.user.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/sync/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("full-sync-start").click()
    progress = page.get_by_test_id("full-sync-progress")
    expect(progress.get_by_test_id("sync-status")).to_have_text("Queued")
    run = SyncRun.objects.get(workspace=workspace)
    worker = threading.Thread(target=run_execute, kwargs={"run_id": run.pk})
    worker.start()
    return progress, worker


def test_full_sync_progress_bar_updates_live_and_finishes(live_server, page, workspace, admin_membership, gated_sync):
    progress, worker = start_from_the_page(page, live_server, workspace, admin_membership)
    for _ in range(100):  # every batch may commit
        gated_sync.release()
    # Numbers change in place (no reload): records done reach the expected total and the status flips.
    expect(progress.get_by_test_id("sync-status")).to_have_text("Succeeded", timeout=20_000)
    worker.join(20)
    expect(progress.get_by_test_id("sync-done")).to_have_text("3000")
    expect(progress.get_by_test_id("sync-expected")).to_have_text("3000")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("[data-cancel-form]")).to_be_hidden()
    assert re.search(r"/sync/$", page.url)  # never left or reloaded to another URL


def test_a_running_full_sync_is_cancelled_from_the_page_and_stops_between_batches(
    live_server, page, workspace, admin_membership, gated_sync
):
    progress, worker = start_from_the_page(page, live_server, workspace, admin_membership)
    for _ in range(2):
        gated_sync.release()
    expect(progress.get_by_test_id("sync-status")).to_have_text("Running")
    expect(progress.get_by_test_id("sync-done")).to_have_text("500")  # two batches in, shown without a reload
    expect(progress.get_by_test_id("sync-expected")).to_have_text("3000")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel sync").click()
    gated_sync.release()  # the batch in progress commits; the run stops right after it
    expect(progress.get_by_test_id("sync-status")).to_have_text("Cancelled", timeout=20_000)
    worker.join(20)
    run = SyncRun.objects.get(workspace=workspace)
    assert run.status == "cancelled"
    assert run.records_done == 750
    assert SyncedRecord.objects.filter(workspace=workspace).count() == 750  # what it committed stays
    expect(progress.get_by_test_id("sync-done")).to_have_text("750")
    expect(page.locator("[data-cancel-form]")).to_be_hidden()


def test_full_sync_can_be_cancelled_from_the_page(
    live_server, page, workspace, admin_membership, sf_connection, monkeypatch, settings
):
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    sign_in(page, f"{live_server.url}/accounts/login/", admin_membership.user.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/sync/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("full-sync-start").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel sync").click()
    expect(page.get_by_test_id("sync-status")).to_have_text("Cancelled")


def test_progress_tells_the_truth_at_each_step_of_a_gated_sync(
    live_server, page, workspace, admin_membership, gated_sync, org_control
):
    control, org = org_control
    control.load_records(org, "Account", [{"Name": f"A{i:03d}"} for i in range(500)], return_ids=False)
    progress, worker = start_from_the_page(page, live_server, workspace, admin_membership)
    run = SyncRun.objects.get(workspace=workspace)
    runs_row = page.locator(f'[data-testid="recent-runs"] tr[data-run-id="{run.pk}"]')
    steps = progress.get_by_test_id("sync-steps")
    bar = progress.get_by_test_id("sync-bar")
    expect(progress.get_by_test_id("sync-title")).to_have_text(f"Full sync #{run.pk}")
    expect(runs_row.locator('[data-cell="status"]')).to_have_text("Queued")  # the table agrees with the box

    # Before the first batch commits, every object has been counted: the total is the whole run's, not Accounts'.
    expect(progress.get_by_test_id("sync-status")).to_have_text("Running")
    expect(progress.get_by_test_id("sync-expected")).to_have_text("3500")
    expect(progress.get_by_test_id("sync-percent")).to_have_text("0")
    expect(runs_row.locator('[data-cell="status"]')).to_have_text("Running")

    for _ in range(2):  # Accounts are done, Contacts are left: 500 of 3,500 is 14%, not 100%
        gated_sync.release()
    expect(steps.locator('[data-step="Account"]')).to_have_attribute("data-status", "done")
    expect(progress.get_by_test_id("sync-done")).to_have_text("500")
    expect(progress.get_by_test_id("sync-percent")).to_have_text("14")
    expect(bar).to_have_attribute("aria-valuenow", "14")
    expect(steps.locator('[data-step="Contact"]')).not_to_have_attribute("data-status", "done")
    expect(steps.locator('[data-step="Contact"]')).to_contain_text("0 / 3000")
    expect(runs_row.locator('[data-cell="records"]')).to_have_text("500")

    for _ in range(6):
        gated_sync.release()
    expect(progress.get_by_test_id("sync-done")).to_have_text("2000")
    expect(progress.get_by_test_id("sync-percent")).to_have_text("57")
    expect(steps.locator('[data-step="Contact"]')).to_have_attribute("data-status", "running")

    for _ in range(100):
        gated_sync.release()
    expect(progress.get_by_test_id("sync-status")).to_have_text("Succeeded", timeout=20_000)
    worker.join(20)
    expect(progress.get_by_test_id("sync-percent")).to_have_text("100")
    expect(steps.locator('[data-status="done"]')).to_have_count(SyncRun.objects.get(pk=run.pk).steps.count())
    # The same moment everywhere on the page: the runs table, the objects table and the start button.
    expect(runs_row.locator('[data-cell="status"]')).to_have_text("Succeeded")
    expect(runs_row.locator('[data-cell="records"]')).to_have_text("3500")
    health = page.get_by_test_id("sync-health")
    expect(health.locator('tr[data-object="Contact"] [data-testid="records"]')).to_have_text("3000")
    expect(health.locator('tr[data-object="Account"] [data-testid="records"]')).to_have_text("500")
    expect(health.locator('tr[data-object="Contact"] [data-testid="last-run"]')).to_contain_text(f"Full sync #{run.pk}")
    expect(page.get_by_test_id("full-sync-start")).to_be_visible()
    # At 100% the bar's fill reaches the end of its track (after its width transition).
    page.wait_for_timeout(600)
    fill, track = bar.locator("span").bounding_box(), bar.bounding_box()
    assert abs(fill["width"] - track["width"]) < 1, (fill, track)
