"""An admin settles a held match in a real browser: the Activity page lists the candidates, "Use this one" applies
it; Advanced settings shows the matching rules in the order they run."""

import pytest
from playwright.sync_api import expect

from activities.models import Prospect
from mappings.models import CrmSettings
from tests.activities.test_matching import duplicates_at_fjord, mateo
from tests.browser.shots import shot
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = ["Contact by Email", "Contact by Name + Company", "Contact by LinkedIn URL", "Lead by Email",
         "Lead by Name + Company"]  # fmt: skip


def test_admin_chooses_the_record_of_a_held_prospect(live_server, page, crm):
    CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
    _, first, second = duplicates_at_fjord(crm)
    crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])

    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/activity/", crm.owner.email)
    review = page.get_by_test_id("match-review")
    expect(review).to_contain_text("Mateo Haddad")
    expect(review.get_by_role("button", name="Use this one")).to_have_count(2)
    expect(review).to_contain_text(first)  # duplicates look alike: the record id tells them apart
    shot(page, "match_review.png", full_page=True)
    review.locator("tr", has_text=second).get_by_role("button", name="Use this one").click()
    expect(page.get_by_test_id("match-review")).to_have_count(0)
    prospect = Prospect.objects.get()
    assert prospect.salesforce_id == second and prospect.matched_by == "chosen"

    page.goto(f"{live_server.url}/w/{crm.workspace.slug}/settings/crm/advanced/")
    text = page.locator("main").inner_text()
    positions = [text.find(rule) for rule in RULES]
    assert -1 not in positions and positions == sorted(positions), positions
    shot(page, "advanced.png", full_page=True)
