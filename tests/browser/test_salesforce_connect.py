import re

import pytest
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from tests.salesforce_oauth import use_org_app
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_connects_salesforce_through_the_consent_page(live_server, page, sandbox_org):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Alpha Team", workspace__slug="alpha")
    use_org_app(owner.workspace, sandbox_org)
    admin = sandbox_org.admin_user

    sign_in(page, f"{live_server.url}/w/alpha/integrations/", owner.user.email)
    expect(page.get_by_test_id("integration-empty-state")).to_contain_text("Not connected")

    connect_form = page.get_by_test_id("admin-connect-form")
    connect_form.get_by_label("My Domain", exact=True).check()
    connect_form.get_by_label("My Domain URL").fill(sandbox_org.login_url)
    connect_form.get_by_role("button", name="Connect Salesforce").click()

    # The sandbox's own login and consent pages.
    expect(page).to_have_url(re.compile(re.escape(sandbox_org.login_url) + r"/services/oauth2/authorize"))
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("heading", name="Allow access?")).to_be_visible()
    page.get_by_role("button", name="Allow").click()

    expect(page).to_have_url(f"{live_server.url}/w/alpha/integrations/")
    expect(page.get_by_role("status").first).to_contain_text("Your admin connection is connected")
    details = page.get_by_test_id("admin-connection")
    expect(details).to_contain_text(f"{sandbox_org.name} ({sandbox_org.org_id})")
    expect(details).to_contain_text(admin.username)
    expect(details).to_contain_text("Connected")
    expect(page.get_by_test_id("integration-empty-state")).to_have_count(0)
