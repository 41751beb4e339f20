"""An admin manages the team's connections in a real browser: a rep who disconnected reads "Disconnected on …", a
reminder to connect is emailed (once a day at most), and Disconnect asks on a page of its own before it revokes."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.models import Connection, OAuthCredential
from integrations.services.connections import connection_disconnect
from tests.browser.shots import shot
from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from tests.integrations.test_oauth_flow import refresh_works
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_disconnected_on_and_reminders(live_server, page, crm, mailoutbox):
    connection_disconnect(connection=crm.rep2_connection, actor=crm.rep2)  # the rep disconnected themselves
    newcomer = MembershipFactory(workspace=crm.workspace, role=Role.REP).user

    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/integrations/", crm.owner.email)
    table = page.get_by_test_id("team-connections")
    gone = table.locator(f'tr[data-member="{crm.rep2.email}"]')
    expect(gone).to_contain_text(f"Disconnected on {timezone.localdate():%-d %b %Y}")
    expect(gone).not_to_contain_text("Never connected")
    expect(table.locator(f'tr[data-member="{newcomer.email}"]')).to_contain_text("Never connected")
    expect(table.locator(f'tr[data-member="{crm.rep.email}"]')).to_contain_text("Connected")
    expect(page.get_by_test_id("team-summary")).to_contain_text("1 of 4 members connected")
    shot(page, "team_before_reminders.png", full_page=True)

    page.get_by_role("button", name="Remind 2 members who have not connected").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent 2 reminders to connect Salesforce")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([crm.rep2.email, newcomer.email])
    link = f"{live_server.url}/w/{crm.workspace.slug}/integrations/"
    assert all(link in m.body and m.reply_to == [crm.owner.email] for m in mailoutbox)
    assert "Your Salesforce connection was disconnected" in next(m for m in mailoutbox if m.to == [crm.rep2.email]).body

    # Reminded: no second email from the same click, or a row's own button, for a day.
    table = page.get_by_test_id("team-connections")
    for email in (crm.rep2.email, newcomer.email):
        row = table.locator(f'tr[data-member="{email}"]')
        expect(row.get_by_test_id("reminded")).to_contain_text("Reminded")
        expect(row.get_by_role("button", name="Send reminder")).to_have_count(0)
        expect(row).to_contain_text("next after")
    expect(page.get_by_test_id("remind-all")).to_have_count(0)
    assert len(mailoutbox) == 2
    shot(page, "team_after_reminders.png", full_page=True)


def test_a_single_reminder_from_the_row(live_server, page, crm, mailoutbox):
    newcomer = MembershipFactory(workspace=crm.workspace, role=Role.REP).user
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/integrations/", crm.owner.email)
    row = page.get_by_test_id("team-connections").locator(f'tr[data-member="{newcomer.email}"]')
    row.get_by_role("button", name="Send reminder").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Sent 1 reminder to connect Salesforce: {newcomer.email}")
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    assert mailoutbox[0].subject == f"Connect your Salesforce user in {crm.workspace.name}"


def test_disconnect_asks_first_and_cancel_keeps_the_connection(live_server, page, crm):
    refresh = OAuthCredential.objects.get(connection=crm.rep_connection).refresh_token
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/integrations/", crm.owner.email)
    row = page.get_by_test_id("team-connections").locator(f'tr[data-member="{crm.rep.email}"]')

    row.get_by_role("link", name="Disconnect").click()
    confirm = page.get_by_test_id("disconnect-confirm")
    expect(confirm.get_by_role("heading")).to_have_text(f"Disconnect {crm.rep.email}'s Salesforce user?")
    expect(confirm).to_contain_text(crm.rep_connection.remote_username)
    expect(confirm).to_contain_text("nothing is lost")
    shot(page, "team_disconnect_confirm.png", full_page=True)
    confirm.get_by_role("link", name="Cancel").click()
    expect(page.get_by_test_id("team-connections")).to_be_visible()
    assert Connection.objects.filter(pk=crm.rep_connection.pk).exists()

    row = page.get_by_test_id("team-connections").locator(f'tr[data-member="{crm.rep.email}"]')
    row.get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Yes, disconnect").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Disconnected the Salesforce connection of {crm.rep.email}; the token was revoked at Salesforce."
    )
    row = page.get_by_test_id("team-connections").locator(f'tr[data-member="{crm.rep.email}"]')
    expect(row).to_contain_text(f"Disconnected on {timezone.localdate():%-d %b %Y} by {crm.owner.email}")
    assert not Connection.objects.filter(pk=crm.rep_connection.pk).exists()
    assert not refresh_works(crm.org, refresh)


def test_a_rep_sees_the_org_but_not_the_admin_connection(live_server, page, crm):
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/integrations/", crm.rep.email)
    expect(page.get_by_test_id("workspace-org")).to_contain_text(crm.org.name)
    expect(page.get_by_test_id("admin-connection")).to_have_count(0)
    expect(page.get_by_test_id("team-connections")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(crm.admin_connection.remote_username)
    expect(page.get_by_role("link", name="Setup checklist")).to_have_count(0)
    expect(page.get_by_test_id("own-connection")).to_contain_text(crm.rep_connection.remote_username)
    shot(page, "rep_integrations.png", full_page=True)

    page.locator("main").get_by_role("link", name="Disconnect").click()
    expect(page.get_by_test_id("disconnect-confirm").get_by_role("heading")).to_have_text(
        "Disconnect your Salesforce user?"
    )
    shot(page, "rep_disconnect_confirm.png", full_page=True)
