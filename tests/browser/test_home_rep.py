"""A rep's Home in a real browser: their own Salesforce connection (not the org's), with a Connect button, and the
calls that wait for it; connecting through the sandbox's consent page writes them, as the rep."""

import re

import pytest
from playwright.sync_api import expect

from integrations.services.connections import connection_disconnect
from tests.activities.conftest import activity_event
from tests.browser.shots import shot
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_connects_from_home_and_their_waiting_calls_are_written(live_server, page, crm):
    rep, sf_user = crm.rep2, crm.org.user(crm.rep2_connection.remote_username)
    connection_disconnect(connection=crm.rep2_connection, actor=rep)
    crm.ingest([activity_event(n, rep=rep) for n in range(3)] + [activity_event(9, rep=crm.rep)])
    crm.drain()
    assert len(crm.tasks()) == 1  # crm.rep's call; rep2's three wait for their connection

    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/", rep.email)
    card = page.get_by_test_id("home-salesforce")
    own = card.get_by_test_id("home-own-connection")
    expect(own).to_contain_text("You have not connected Salesforce")
    expect(own.get_by_test_id("home-own-waiting")).to_have_text(
        "3 of your calls are waiting until you connect Salesforce."
    )
    expect(page.get_by_test_id("home-writeback")).to_have_text("0 written · 3 pending · 0 failed")
    # The org's connection is the admins' business: no admin user, no status badge of theirs, no fix links.
    expect(card).not_to_contain_text(crm.admin_connection.remote_username)
    expect(card.get_by_test_id("home-admin-connection")).to_have_count(0)
    expect(page.get_by_text("Fix the setting")).to_have_count(0)
    shot(page, "home_rep_waiting.png", full_page=True)

    own.get_by_role("button", name="Connect Salesforce").click()
    expect(page).to_have_url(re.compile(re.escape(crm.org.login_url) + r"/services/oauth2/authorize"))
    page.get_by_label("Username").fill(sf_user.username)
    page.get_by_label("Password").fill(sf_user.password)
    page.get_by_role("button", name="Log In").click()
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(f"{live_server.url}/w/{crm.workspace.slug}/integrations/")
    expect(page.get_by_role("status").first).to_contain_text("Your Salesforce user is connected")

    written = [t for t in crm.tasks() if t["OwnerId"] == sf_user.id]
    assert len(written) == 3, crm.tasks()
    page.goto(f"{live_server.url}/w/{crm.workspace.slug}/")
    own = page.get_by_test_id("home-own-connection")
    expect(own).to_contain_text(f"You write as {sf_user.username}.")
    expect(own.get_by_test_id("home-own-waiting")).to_have_count(0)
    expect(page.get_by_test_id("home-writeback")).to_have_text("3 written · 0 pending · 0 failed")
    shot(page, "home_rep_connected.png", full_page=True)


def test_an_admin_sees_the_org_connection_and_their_own_on_home(live_server, page, crm):
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/", crm.owner.email)
    card = page.get_by_test_id("home-salesforce")
    expect(card.get_by_test_id("home-admin-connection")).to_contain_text(f"Org {crm.org.name} Connected")
    expect(card.get_by_test_id("home-team-connected")).to_have_text("2 of 3 members connected their own user.")
    expect(card.get_by_test_id("home-own-connection")).to_contain_text("You have not connected Salesforce")
    expect(card.get_by_role("button", name="Connect Salesforce")).to_be_visible()
    shot(page, "home_admin.png", full_page=True)
