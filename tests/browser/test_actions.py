"""An admin runs actions from the Actions page in a real browser, as the demo tour does: the form starts from an
example filled with records of the org, Run writes through the ledger, and the result is in the sandbox org."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import ActionRun
from sync.models import SyncedRecord
from tests.browser.shots import shot
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def globex(crm):
    """An Account and its Contact in the org, and in the local sync copy (where the page's examples come from)."""
    org = crm.org.org_id
    [account_id] = crm.control.load_records(org, "Account", [{"Name": "Globex"}])
    [contact_id] = crm.control.load_records(
        org, "Contact", [{"FirstName": "Dana", "LastName": "Ito", "AccountId": account_id}]
    )
    now = timezone.now()
    for sobject, sf_id, name, data in (
        ("Account", account_id, "Globex", {"Name": "Globex"}),
        ("Contact", contact_id, "Dana Ito", {"Name": "Dana Ito", "AccountId": account_id}),
    ):
        SyncedRecord.objects.create(
            workspace=crm.workspace,
            sobject=sobject,
            sf_id=sf_id,
            name=name,
            data=data,
            system_modstamp=now,
            synced_at=now,
        )
    return account_id, contact_id


def test_an_admin_runs_an_action_and_sees_the_task_in_the_org(live_server, page, crm, globex):
    account_id, contact_id = globex
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/actions/", crm.owner.email)
    run = page.get_by_test_id("action-run")
    body = run.get_by_label("Input (JSON)")
    example = json.loads(body.input_value())  # the example names the org's own records: it runs as it is
    assert example["who_id"] == contact_id and example["what_id"] == account_id
    assert example["subject"] == "Follow up with Dana Ito"
    shot(page, "actions_run_form.png", full_page=True)

    run.get_by_role("button", name="Run").click()

    result = page.get_by_test_id("action-result")
    expect(result).to_contain_text("Done")
    [task] = [t for t in crm.records("Task") if t["Subject"] == "Follow up with Dana Ito"]
    expect(result).to_contain_text(task["Id"])
    link = page.get_by_test_id("salesforce-link")
    assert link.get_attribute("href").endswith(f"/lightning/r/Task/{task['Id']}/view")
    assert task["WhoId"] == contact_id and task["WhatId"] == account_id
    assert task["CreatedById"] == crm.admin_connection.remote_user_id  # the admin connection acted
    expect(page.get_by_test_id("action-attempts")).to_contain_text("Succeeded")
    shot(page, "actions_result.png", full_page=True)

    page.get_by_role("link", name="← Actions").click()
    row = page.get_by_test_id("action-list").locator("tr", has_text="Create a Task")
    expect(row).to_contain_text(crm.owner.email)
    expect(row).to_contain_text(task["Id"])


def test_choosing_another_action_fills_in_its_example_and_a_refusal_is_explained(live_server, page, crm, globex):
    account_id, contact_id = globex
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/actions/", crm.owner.email)
    run = page.get_by_test_id("action-run")
    run.get_by_label("Action").select_option(label="Log a meeting")
    body = run.get_by_label("Input (JSON)")
    # The page's script swaps the example in after the choice: wait for it rather than read the old one.
    expect(body).to_have_value(re.compile("Discovery call with Dana Ito"))
    example = json.loads(body.input_value())
    assert example["subject"] == "Discovery call with Dana Ito" and example["who_id"] == contact_id
    run.get_by_role("button", name="Run").click()
    expect(page.get_by_test_id("action-result")).to_contain_text("Done")
    [event] = [e for e in crm.records("Event") if e["Subject"] == "Discovery call with Dana Ito"]
    assert event["WhoId"] == contact_id and event["DurationInMinutes"] == 30

    # What the person typed is theirs: changing the action does not overwrite it.
    page.goto(f"{live_server.url}/w/{crm.workspace.slug}/actions/")
    run = page.get_by_test_id("action-run")
    mine = json.dumps({"opportunity_id": account_id, "field_values": {"StageName": "closed won"}})
    run.get_by_label("Input (JSON)").fill(mine)
    run.get_by_label("Action").select_option(label="Update an Opportunity")
    assert run.get_by_label("Input (JSON)").input_value() == mine
    run.get_by_role("button", name="Run").click()
    result = page.get_by_test_id("action-result")
    expect(result).to_contain_text("wrong_object")
    expect(result).to_contain_text("is an Account id")
    assert ActionRun.objects.filter(status="refused").count() == 1


def test_an_admin_opts_in_to_score_write_back_maps_a_score_and_previews_it(live_server, page, crm, globex):
    account_id, _ = globex
    crm.control.add_fields(crm.org.org_id, "Account", [{"name": "Health__c", "type": "double", "label": "Health"}])
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/actions/scores/", crm.owner.email)
    expect(page.get_by_test_id("scores-state")).to_contain_text("Off")  # read-only until an admin opts in
    settings_form = page.get_by_test_id("score-settings")
    settings_form.get_by_label("Write scores to Salesforce Accounts").check()
    mappings = page.get_by_test_id("score-mappings")
    mappings.locator("input").first.fill("health")
    options = mappings.locator("select").first.locator("option").all_inner_texts()
    assert "Health (Health__c, double)" in options
    assert not [o for o in options if "CreatedDate" in o]  # read-only for the admin's user: not offered
    mappings.locator("select").first.select_option("Health__c")
    settings_form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Score write-back settings saved.")).to_be_visible()
    expect(page.get_by_test_id("scores-state")).to_contain_text("On")

    dry = page.get_by_test_id("score-dry-run")
    dry.get_by_label("Sample request (JSON)").fill(
        json.dumps(
            [
                {"account_id": account_id[:15], "scores": {"health": 71}},
                {"account_id": account_id, "scores": {"health": 82}},
            ]
        )  # fmt: skip
    )
    dry.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("score-preview")
    expect(preview).to_contain_text("Health__c = 82")  # one row per account, the last value winning
    expect(preview.locator("tbody tr")).to_have_count(1)
    shot(page, "actions_scores.png", full_page=True)
    # The settings above stay as saved (not shown as an empty, invalid submit of their own form).
    expect(settings_form.get_by_label("Write scores to Salesforce Accounts")).to_be_checked()
    expect(mappings.locator("input").first).to_have_value("health")
    expect(settings_form.get_by_role("alert")).to_have_count(0)
    assert crm.records("Account")[0].get("Health__c") is None  # a preview writes nothing
