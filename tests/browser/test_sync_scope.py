"""The sync scope page as an admin uses it: picklist values chosen from the field's values, a live count of what the
scope keeps, a warning before a change that drops records synced now, and removing the only filter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sync.models import SyncFilter, SyncObjectConfig
from sync.services.runs import full_sync_start, run_execute
from tests.browser.shots import shot
from tests.browser.signin import sign_in
from tests.sync import conftest as sync_fixtures

admin_membership = sync_fixtures.admin_membership
workspace = sync_fixtures.workspace
sf_connection = sync_fixtures.sf_connection
org_control = sync_fixtures.org_control

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scope_page(live_server, page, workspace, admin_membership, sf_connection, org_control, monkeypatch):
    """Ten Accounts synced (six customers, four prospects); the admin is on the Account scope page."""
    control, org = org_control
    control.load_records(org, "Account", [
        {"Name": f"A{i}", "Type": "Customer - Direct" if i < 6 else "Prospect"} for i in range(10)
    ])  # fmt: skip
    monkeypatch.setattr("sync.services.runs.async_task", lambda *args, **kwargs: None)
    assert run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Account"]).pk).status == "succeeded"
    sign_in(page, f"{live_server.url}/accounts/login/", admin_membership.user.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/sync/objects/Account/scope/")
    return page


def first_row(page):
    return page.locator("[data-filter-row]").first


def test_picklist_chooser_live_preview_and_a_warning_before_dropping_records(scope_page, workspace):
    page = scope_page
    row = first_row(page)
    row.locator('select[name$="-field"]').select_option("Type")
    # A picklist's value is chosen from its values, not typed.
    chooser = row.locator("select[data-picklist-chooser]")
    expect(chooser).to_be_visible()
    expect(row.locator('input[name$="-values"]')).to_be_hidden()
    expect(chooser.locator("option", has_text="Customer - Direct")).to_have_count(1)
    chooser.select_option("Customer - Direct")

    # The live preview counts in Salesforce what the edited scope keeps, and says what it would drop.
    preview = page.get_by_test_id("scope-preview")
    expect(preview).to_contain_text("This scope keeps 6 of the 10 Account records in Salesforce (the saved scope: 10).")
    expect(page.get_by_test_id("scope-preview-warning")).to_contain_text("Saving drops 4 Account records")

    # "is one of" turns the chooser into a multi-select; both values keep everything: no warning.
    row.locator('select[name$="-operator"]').select_option("in")
    chooser = row.locator("select[data-picklist-chooser]")
    expect(chooser).to_have_attribute("multiple", "")
    chooser.select_option(["Customer - Direct", "Prospect"])
    expect(preview).to_contain_text("This scope keeps 10 of the 10")
    expect(page.get_by_test_id("scope-preview-warning")).to_have_count(0)

    # Back to dropping records: Save asks first, and nothing is saved until the admin confirms.
    chooser.select_option(["Prospect"])
    expect(preview).to_contain_text("This scope keeps 4 of the 10")
    shot(page, "scope-preview.png", full_page=True)
    page.get_by_test_id("scope-save").click()
    warning = page.get_by_test_id("scope-drop-warning")
    expect(warning).to_contain_text("Saving drops 6 Account records")
    assert not SyncFilter.objects.exists()
    shot(page, "scope-warning.png", full_page=True)
    # The choice survived the round trip, in the chooser.
    expect(first_row(page).locator("select[data-picklist-chooser] option:checked")).to_have_text(["Prospect"])
    page.get_by_role("button", name="Save and drop 6 records").click()
    expect(page.get_by_text("Account sync scope saved.")).to_be_visible()
    assert list(SyncFilter.objects.values_list("field", "operator", "values")) == [("Type", "in", ["Prospect"])]


def test_a_second_filter_is_added_with_the_add_filter_button(scope_page, workspace):
    page = scope_page
    first_row(page).locator('select[name$="-field"]').select_option("Type")
    first_row(page).locator("select[data-picklist-chooser]").select_option("Customer - Direct")
    page.get_by_role("button", name="+ Add filter").click()
    second = page.locator("tbody [data-filter-row]").nth(1)
    second.locator('select[name$="-field"]').select_option("Name")
    second.locator('select[name$="-operator"]').select_option("starts_with")
    expect(second.locator("select[data-picklist-chooser]")).to_have_count(0)  # text fields keep their text box
    second.locator('input[name$="-values"]').fill("A1")
    second.locator('input[name$="-values"]').blur()
    expect(page.get_by_test_id("scope-preview")).to_contain_text("This scope keeps 1 of the 10")
    page.get_by_test_id("scope-save").click()
    page.get_by_role("button", name="Save and drop 9 records").click()
    expect(page.get_by_text("Account sync scope saved.")).to_be_visible()
    assert sorted(SyncFilter.objects.values_list("field", "operator", "values")) == [
        ("Name", "starts_with", ["A1"]), ("Type", "eq", ["Customer - Direct"])
    ]  # fmt: skip


def test_removing_the_only_filter(scope_page, workspace):
    config = SyncObjectConfig.objects.get(workspace=workspace, sobject="Account")
    SyncFilter.objects.create(object_config=config, field="Type", operator="eq", values=["Customer - Direct"])
    page = scope_page
    page.reload()
    row = first_row(page)
    expect(row.locator("select[data-picklist-chooser] option:checked")).to_have_text(["Customer - Direct"])
    row.get_by_role("button", name="Remove").click()
    expect(row).to_be_hidden()
    expect(page.get_by_test_id("scope-preview")).to_contain_text("This scope keeps 10 of the 10")
    page.get_by_test_id("scope-preview-button").click()  # the counted preview, without saving
    expect(page.get_by_test_id("scope-preview-summary")).to_contain_text("This scope keeps 10 of the 10")
    expect(first_row(page)).to_be_hidden()  # still removed after the round trip
    assert config.filters.exists()
    page.get_by_test_id("scope-save").click()  # keeps more than before: saved at once
    expect(page.get_by_text("Account sync scope saved.")).to_be_visible()
    assert not config.filters.exists()
    expect(page.locator("[data-filter-row]")).to_have_count(1)  # just the blank row for a new filter
