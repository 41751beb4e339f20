"""An admin edits the Call mapping in a real browser: live preview, a validation error, the fix, the history."""

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, MembershipFactory
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
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(owner.user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("navigation").get_by_role("link", name="CRM settings").click()
    expect(page).to_have_url(f"{live_server.url}/w/alpha/settings/crm/tasks/call/")

    preview = page.get_by_test_id("task-preview")
    expect(preview).to_contain_text('"Type": "Call"')
    form = page.get_by_test_id("task-mapping-form")
    type_row = form.locator("tr[data-row]").first
    expect(type_row.get_by_label("Salesforce field")).to_have_value("Type")

    # The preview follows the unsaved edit.
    type_row.get_by_label("Fixed value").fill("Meeting")
    expect(preview).to_contain_text('"Type": "Meeting"')

    # A value the restricted picklist does not have is refused, with the message beside the field.
    form.get_by_role("button", name="Add field").click()
    new_row = form.locator("tr[data-row]").last
    # Only variables the chosen field can take stay selectable.
    new_row.get_by_label("Salesforce field").select_option("CallDurationInSeconds")
    variables = new_row.get_by_label("Variable")
    expect(variables.locator("option[value=recording_url]")).to_be_disabled()
    expect(variables.locator("option[value=duration_seconds]")).to_be_enabled()
    new_row.get_by_label("Salesforce field").select_option("CallType")
    expect(variables.locator("option[value=disposition]")).to_be_disabled()  # restricted picklist: fixed values only
    new_row.get_by_label("Value from").select_option("constant")
    new_row.get_by_label("Fixed value").fill("Sideways")
    form.get_by_role("button", name="Save mappings").click()
    bad_row = form.locator("tr[data-row]").last
    expect(bad_row.get_by_role("alert")).to_contain_text("not an active value of this restricted picklist")
    expect(preview).to_contain_text('"Type": "Call"')  # nothing saved yet

    bad_row.get_by_label("Fixed value").fill("Outbound")
    form.get_by_role("button", name="Save mappings").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(preview).to_contain_text('"Type": "Meeting"')
    expect(preview).to_contain_text('"CallType": "Outbound"')

    page.get_by_role("link", name="History").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Changed Type = Call → Type = Meeting")
    expect(history).to_contain_text("Added CallType = Outbound")
    expect(history).to_contain_text(owner.user.email)
