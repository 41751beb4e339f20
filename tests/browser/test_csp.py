"""What the Content-Security-Policy took away from templates still works in a real browser: confirmations before a
destructive submit (and Cancel really cancels), bars and meters drawn at their percentage, the admin's "take me
back" links. The autouse `csp_violations` fixture fails any of these on a console CSP report."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.models import Connection
from sync.models import SyncRun
from tests.browser.signin import sign_in
from tests.factories import UserFactory
from tests.sync import conftest as sync_fixtures

admin_membership = sync_fixtures.admin_membership
workspace = sync_fixtures.workspace
sf_connection = sync_fixtures.sf_connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_ratio(locator) -> float:
    """How much of its track a bar or meter fill covers, as the browser laid it out."""
    return locator.evaluate("el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width")


def test_the_policy_is_enforced_and_a_violation_is_caught(live_server, page, csp_violations):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div style=\"color: red\">injected</div>')")
    expect(page.get_by_text("injected")).to_be_visible()
    page.wait_for_timeout(200)
    assert any("style-src" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # seen: the check works; nothing else on the page may report one


def test_cancelling_a_confirmation_keeps_the_form_unsent(live_server, page, workspace, admin_membership, sf_connection):
    Connection.objects.filter(pk=sf_connection.pk).update(
        api_usage_used=6_000, api_usage_max=15_000, api_usage_at=timezone.now()
    )
    sign_in(page, f"{live_server.url}/w/{workspace.slug}/integrations/", admin_membership.user.email)
    meter_fill = page.get_by_test_id("api-usage-meter").locator("span")
    assert fill_ratio(meter_fill) == pytest.approx(0.40, abs=0.02)

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator(".actions").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_test_id("admin-connection")).to_contain_text("Connected")
    assert questions == ["Disconnect the Salesforce admin connection? Its token is revoked at Salesforce."]
    assert Connection.objects.filter(pk=sf_connection.pk).exists()

    page.goto(f"{live_server.url}/w/{workspace.slug}/sync/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("full-sync-start").click()
    expect(page.get_by_test_id("full-sync-start")).to_be_visible()
    assert not SyncRun.objects.filter(workspace=workspace).exists()


def test_admin_progress_bar_and_take_me_back(live_server, page, workspace, sf_connection):
    staff = UserFactory(is_staff=True, is_superuser=True)
    run = SyncRun.objects.create(
        workspace=workspace,
        connection=sf_connection,
        kind="full",
        status="cancelled",
        records_done=300,
        records_expected=1200,
        finished_at=timezone.now(),
    )
    sign_in(page, f"{live_server.url}/accounts/login/", staff.email)
    page.goto(f"{live_server.url}/admin/sync/syncrun/{run.pk}/change/")
    bar = page.get_by_test_id("full-sync-progress").locator('[data-field="bar"]')
    assert fill_ratio(bar) == pytest.approx(0.25, abs=0.02)

    changelist = f"{live_server.url}/admin/integrations/connection/"
    page.goto(changelist)
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_role("combobox", name="Action").select_option("start_full_sync")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("button", name="Yes, start the full sync")).to_be_visible()
    page.get_by_role("link", name="No, take me back").click()
    expect(page).to_have_url(changelist)
    assert not SyncRun.objects.filter(kind="full").exclude(pk=run.pk).exists()
