import pytest
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_workspace_and_see_integrations_empty_state(live_server, page):
    first = MembershipFactory(role=Role.OWNER, workspace__name="Alpha Team", workspace__slug="alpha")
    MembershipFactory(user=first.user, role=Role.REP, workspace__name="Beta Team", workspace__slug="beta")

    sign_in(page, f"{live_server.url}/", first.user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Team")

    page.get_by_test_id("workspace-switcher").locator("summary").click()
    page.get_by_role("link", name="Beta Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta Team")

    page.get_by_role("navigation").get_by_role("link", name="Integrations").click()
    expect(page).to_have_url(f"{live_server.url}/w/beta/integrations/")
    expect(page.get_by_test_id("integration-empty-state")).to_contain_text("Not connected")
