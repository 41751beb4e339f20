"""An admin adds a Data Sync field after the first import: without anyone starting a full sync, the next sync tick
fills it in for the records already here, and the Sync page shows that backfill's progress step by step."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from sync.models import SyncRun
from sync.services import backfill as backfill_module
from sync.services.runs import full_sync_start, run_execute
from sync.services.scheduler import workspace_tick
from tests.browser.shots import shot
from tests.browser.signin import sign_in
from tests.sync import conftest as sync_fixtures
from tests.sync.test_backfill import INDUSTRIES, save_account_fields

admin_membership = sync_fixtures.admin_membership
workspace = sync_fixtures.workspace
sf_connection = sync_fixtures.sf_connection
org_control = sync_fixtures.org_control

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_field_added_after_the_import_fills_in_with_progress(
    live_server, page, workspace, admin_membership, sf_connection, org_control, monkeypatch, settings
):
    control, org = org_control
    control.load_records(org, "Account", [{"Name": f"Acme {i:02d}", "Industry": INDUSTRIES[i % 3]} for i in range(17)])
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)  # the test is the worker
    save_account_fields(workspace, ("Type", "Type", "picklist"))
    assert run_execute(run_id=full_sync_start(workspace=workspace).pk).status == "succeeded"

    monkeypatch.setattr(backfill_module, "PAGE_SIZE", 5)
    gate = threading.Semaphore(0)
    real_commit = backfill_module._commit

    def gated_commit(*args, **kwargs):
        gate.acquire(timeout=20)
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(backfill_module, "_commit", gated_commit)

    sign_in(page, f"{live_server.url}/accounts/login/", admin_membership.user.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/crm/accounts/")
    expect(page.get_by_role("columnheader", name="Industry")).to_have_count(0)

    # The admin maps Industry; the minute tick notices and starts a backfill of just Account's Industry.
    save_account_fields(workspace, ("Type", "Type", "picklist"), ("Industry", "Industry", "picklist"))
    (run,) = [r for r in workspace_tick(connection=sf_connection) if r and r.kind == "backfill"]
    page.goto(f"{live_server.url}/w/{workspace.slug}/sync/")
    box = page.get_by_test_id("backfill-progress")
    expect(box.get_by_test_id("sync-title")).to_have_text(f"Field backfill #{run.pk}")
    expect(box.get_by_test_id("sync-status")).to_have_text("Queued")
    expect(box.get_by_test_id("sync-steps")).to_contain_text("Account (Industry)")
    expect(page.locator(f'[data-testid="recent-runs"] tr[data-run-id="{run.pk}"]')).to_contain_text("Queued")

    worker = threading.Thread(target=run_execute, kwargs={"run_id": run.pk})
    worker.start()
    try:
        expect(box.get_by_test_id("sync-status")).to_have_text("Running")
        expect(box.get_by_test_id("sync-expected")).to_have_text("17")
        expect(box.get_by_test_id("sync-percent")).to_have_text("0")
        gate.release()
        expect(box.get_by_test_id("sync-done")).to_have_text("5")
        expect(box.get_by_test_id("sync-percent")).to_have_text("29")
        for _ in range(3):
            gate.release()
        expect(box.get_by_test_id("sync-status")).to_have_text("Succeeded", timeout=20_000)
    finally:
        for _ in range(10):
            gate.release()
        worker.join(20)
    expect(box.get_by_test_id("sync-done")).to_have_text("17")
    expect(box.get_by_test_id("sync-percent")).to_have_text("100")
    expect(box.locator('[data-step="Account"]')).to_have_attribute("data-status", "done")
    expect(page.locator(f'[data-testid="recent-runs"] tr[data-run-id="{run.pk}"] [data-cell="status"]')).to_have_text(
        "Succeeded"
    )
    assert SyncRun.objects.get(pk=run.pk).status == "succeeded"
    expect(page.locator("main, body").first).not_to_contain_text("{#")  # template comments never reach the page
    shot(page, "sync-backfill.png", full_page=True)

    page.goto(f"{live_server.url}/w/{workspace.slug}/crm/accounts/?q=Acme+04")
    expect(page.get_by_role("columnheader", name="Industry")).to_be_visible()
    expect(page.get_by_role("row", name="Acme 04")).to_contain_text("Retail")
