"""An admin edits the Call mapping in a real browser: picklist selects, live preview, a validation error, the fix,
the history."""

import pytest
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from tests.mappings.conftest import cached_connection
from tests.mappings.describes import sb_prospect_fields, shared_describe, task_describe
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_call_mapping_with_preview_validation_and_history(live_server, page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Alpha Team", workspace__slug="alpha")
    cached_connection(
        owner.workspace,
        {
            "Task": task_describe(sb_fields=True),
            "Contact": shared_describe("Contact", extra=sb_prospect_fields()),
            "Lead": shared_describe("Lead", extra=sb_prospect_fields()),
            "Account": shared_describe("Account"),
        },
    )
    sign_in(page, f"{live_server.url}/", owner.user.email)
    page.get_by_role("navigation").get_by_role("link", name="CRM settings").click()
    expect(page).to_have_url(f"{live_server.url}/w/alpha/settings/crm/tasks/call/")

    preview = page.get_by_test_id("task-preview")
    expect(preview).to_contain_text('"Type": "Call"')
    form = page.get_by_test_id("task-mapping-form")
    type_row = form.locator("tr[data-row]").first
    expect(type_row.get_by_label("Salesforce field")).to_have_value("Type")

    # Type is an open picklist: a select of its values (plus "Other value…"); the preview follows the unsaved edit.
    type_value = type_row.get_by_label("Fixed value")
    expect(type_value).to_have_value("Call")
    expect(type_row.get_by_label("Other value")).to_be_hidden()
    type_value.select_option("Meeting")
    expect(preview).to_contain_text('"Type": "Meeting"')

    form.get_by_role("button", name="Add field").click()
    new_row = form.locator("tr[data-row]").last
    # Only variables the chosen field can take stay selectable.
    new_row.get_by_label("Salesforce field").select_option("CallDurationInSeconds")
    variables = new_row.get_by_label("Variable")
    expect(variables.locator("option[value=recording_url]")).to_be_disabled()
    expect(variables.locator("option[value=duration_seconds]")).to_be_enabled()
    # A new fixed value for a picklist starts on the org's default and offers its active values.
    new_row.get_by_label("Value from").select_option("constant")
    new_row.get_by_label("Salesforce field").select_option("Priority")
    value = new_row.get_by_label("Fixed value")
    expect(value).to_have_value("Normal")
    value.select_option("__other__")  # an open picklist takes another value too
    new_row.get_by_label("Other value").fill("Urgent")
    # A restricted picklist offers its values and nothing else: no box to type into.
    new_row.get_by_label("Salesforce field").select_option("CallType")
    # A restricted picklist takes our text only through value translations: the variable stays offered for it.
    expect(variables.locator("option[value=disposition]")).to_be_enabled()
    expect(value.locator("option")).to_have_text(["— choose a value —", "Internal", "Inbound", "Outbound"])
    expect(new_row.get_by_label("Other value")).to_be_hidden()
    value.select_option("Outbound")
    expect(preview).to_contain_text('"CallType": "Outbound"')

    # A value the field cannot take is refused, with the message beside the field.
    form.get_by_role("button", name="Add field").click()
    bad_row = form.locator("tr[data-row]").last
    bad_row.get_by_label("Salesforce field").select_option("IsReminderSet")
    bad_row.get_by_label("Value from").select_option("constant")
    bad_row.get_by_label("Fixed value").fill("perhaps")
    form.get_by_role("button", name="Save mappings").click()
    bad_row = form.locator("tr[data-row]").last
    expect(bad_row.get_by_role("alert")).to_contain_text("Enter true or false")
    # Nothing is saved, and the preview says it shows the submitted edit.
    expect(page.get_by_test_id("preview-note")).to_contain_text("Not saved")
    expect(preview).to_contain_text('"Type": "Meeting"')
    expect(preview).to_contain_text('"CallType": "Outbound"')
    expect(preview).not_to_contain_text("IsReminderSet")
    expect(form.locator("tr[data-row]").nth(-2).get_by_label("Fixed value")).to_have_value("Outbound")

    bad_row.get_by_label("Fixed value").fill("true")
    expect(preview).to_contain_text('"IsReminderSet": true')
    form.get_by_role("button", name="Save mappings").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_test_id("preview-note")).not_to_contain_text("Not saved")
    expect(preview).to_contain_text('"Type": "Meeting"')
    expect(preview).to_contain_text('"CallType": "Outbound"')
    expect(preview).to_contain_text('"IsReminderSet": true')

    page.get_by_role("link", name="History").click()
    history = page.get_by_test_id("history")
    latest = history.locator("li.history-entry").first
    expect(latest.get_by_test_id("history-who")).to_have_text(f"{owner.user.full_name} ({owner.user.email})")
    # Before and after side by side, by field label.
    expect(latest.locator("tr", has_text="CallType")).to_contain_text("Not mapped")
    expect(latest.locator("tr", has=page.get_by_role("rowheader", name="Type", exact=True))).to_contain_text(
        "“Call”“Meeting”"
    )
    expect(latest.locator("tr", has_text="IsReminderSet")).to_contain_text("“true”")
    # The stock defaults are Switchboard's, not the owner's.
    expect(history.locator("li.history-entry").last.get_by_test_id("history-who")).to_have_text(
        "Switchboard (stock defaults)"
    )
