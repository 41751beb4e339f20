"""An admin translates our call disposition into their Call Result picklist in a real browser: the translation's
field list follows the mapping rows, its values come from the picklist, the preview and the saved page use it."""

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shot
from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from tests.mappings.conftest import cached_connection
from tests.mappings.test_translations import RESULT, describes_with, result_field
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_translate_disposition_into_call_result_picklist(live_server, page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Alpha Team", workspace__slug="alpha")
    cached_connection(owner.workspace, describes_with(result_field()))
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, f"{live_server.url}/w/alpha/settings/crm/tasks/call/", owner.user.email)
    form = page.get_by_test_id("task-mapping-form")
    preview = page.get_by_test_id("task-preview")
    translations = form.get_by_test_id("translations")
    expect(translations).to_contain_text("No translations")

    # Map Call Result from our disposition: a restricted picklist, so the disposition variable is offered for it.
    form.get_by_role("button", name="Add field").click()
    row = form.locator("tr[data-row]:not([data-translation-row])").last
    row.get_by_label("Salesforce field").select_option(RESULT)
    row.get_by_label("Value from").select_option("variable")
    row.get_by_label("Variable", exact=True).select_option("disposition")

    translations.locator("summary").click()
    translations.get_by_role("button", name="Add translation").click()
    tr = translations.locator("tr[data-translation-row]").last
    field = tr.get_by_label("Salesforce field")
    # The field list is the section's fields mapped from our data, Call Result included though not saved yet.
    expect(field.locator(f"option[value={RESULT}]")).to_have_count(1)
    expect(field.locator("option[value=Type]")).to_have_count(0)  # a fixed value: nothing to translate
    field.select_option(RESULT)
    tr.get_by_label("Our value").fill("Connected")
    theirs = tr.get_by_label("Write instead")
    expect(theirs.locator("option")).to_have_text(
        ["— choose a value —", "Connected – interested", "Connected – not now", "Voicemail", "No answer"]
    )
    theirs.select_option("Connected – interested")
    expect(preview).to_contain_text(f'"{RESULT}": "Connected – interested"')  # the sample call was "Connected"

    form.get_by_role("button", name="Save mappings").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    translations = page.get_by_test_id("translations")
    expect(translations.locator("summary")).to_have_text("Value translations (1)")
    tr = translations.locator("tr[data-translation-row]").first
    expect(tr.get_by_label("Our value")).to_have_value("Connected")
    expect(tr.get_by_label("Write instead")).to_have_value("Connected – interested")
    expect(preview).to_contain_text(f'"{RESULT}": "Connected – interested"')
    shot(page, "translations-1400.png", full_page=True)

    # Removing the translation leaves our text with nowhere to go in a restricted picklist: the page says so.
    tr.get_by_label("Remove translation").check()
    page.get_by_test_id("task-mapping-form").get_by_role("button", name="Save mappings").click()
    expect(page.get_by_text("add value translations from Call disposition / result")).to_be_visible()

    page.get_by_role("link", name="History").click()
    latest = page.get_by_test_id("history").locator("li.history-entry").first
    expect(latest).to_contain_text("“Connected” → “Connected – interested”")
