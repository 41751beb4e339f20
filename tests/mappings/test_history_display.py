"""History reads like a person wrote it (issue 16): field labels, before and after side by side, and the stock
defaults credited to Switchboard rather than to whoever opened the pages first."""

import re
from html import unescape

import pytest

from mappings.changes import FieldLabels, section_changes
from mappings.models import SettingsChange
from tests.mappings.conftest import crm_url, formset_data, task_rows
from tests.mappings.describes import sb_prospect_fields, shared_describe, task_describe

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def entry_rows(html: str, change_pk: int) -> list[tuple[str, str, str]]:
    entry = html.split(f'data-change="{change_pk}"', 1)[1].split("</li>", 1)[0]
    rows = re.findall(
        r'<tr data-kind="\w+"><th scope="row">(.*?)</th><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>', entry
    )
    return [tuple(unescape(cell) for cell in row) for row in rows]


def test_a_change_shows_labels_with_before_and_after_side_by_side(owner_client, owner, connected):
    ws = owner.workspace
    owner_client.get(crm_url(ws, "tasks/call/"))
    rows = task_rows(ws, "call")
    rows[0]["constant"] = "Meeting"  # Type
    rows = [r for r in rows if r["target_field"] != "sb_callresult__c"]
    rows.append({"target_field": "sb_callresult__c", "source": "constant", "constant": "Connected"})
    rows = [r for r in rows if r["target_field"] != "sb_numberdialed__c"]
    response = owner_client.post(crm_url(ws, "tasks/call/"), formset_data("task-call", rows, initial=len(rows)))
    assert response.status_code == 302
    change = SettingsChange.objects.filter(workspace=ws, actor=owner.user).latest("id")

    html = owner_client.get(crm_url(ws, "history/")).content.decode()
    assert set(entry_rows(html, change.pk)) == {
        ("Type", "“Call”", "“Meeting”"),
        ("sb callresult", "Call disposition / result (from our data)", "“Connected”"),  # the describe's labels
        ("sb numberdialed", "Number dialed (from our data)", "Not mapped"),
    }
    entry = text(html.split(f'data-change="{change.pk}"', 1)[1].split("</li>", 1)[0])
    assert owner.user.email in entry and "Task Mappings · Call" in entry
    assert "sb_callresult__c" not in entry and "{'rows'" not in html  # no API names, no raw dicts


def test_stock_defaults_are_credited_to_switchboard(owner_client, owner, connected):
    ws = owner.workspace
    owner_client.get(crm_url(ws, "tasks/call/"))
    stock = SettingsChange.objects.filter(workspace=ws, section="task:call").get()
    assert stock.actor is None
    html = owner_client.get(crm_url(ws, "history/")).content.decode()
    entry = html.split(f'data-change="{stock.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Switchboard (stock defaults)" in text(entry)
    assert owner.user.email not in entry
    assert ("Type", "Not mapped", "“Call”") in entry_rows(html, stock.pk)


def test_stock_defaults_recorded_under_an_owner_before_are_still_credited_to_switchboard(owner_client, owner):
    change = SettingsChange.objects.create(
        workspace=owner.workspace, actor=owner.user, section="task:sms", summary="Stock defaults: Added Type = SMS",
        before={"rows": []}, after={"rows": [{"target_field": "Type", "source": "constant", "value": "SMS"}]},
    )  # fmt: skip
    html = owner_client.get(crm_url(owner.workspace, "history/")).content.decode()
    entry = text(html.split(f'data-change="{change.pk}"', 1)[1].split("</li>", 1)[0])
    assert "Switchboard (stock defaults)" in entry and owner.user.email not in entry


@pytest.mark.parametrize(
    ("section", "before", "after", "expected"),
    [
        ("sequence", [], [{"sobject": "Contact", "purpose": "name", "target_field": "sb_currentsequencename__c"}],
         [("Contact · Current sequence name", "Not mapped", "sb currentsequencename")]),
        ("opt_out", [{"sobject": "Lead", "target_field": None}],
         [{"sobject": "Lead", "target_field": "sb_smsoptout__c"}],
         [("Lead SMS opt-out checkbox", "None", "sb smsoptout")]),
        ("sync:Account", [{"field_name": "Rating", "display_name": "Rating", "filterable": False, "field_type": "x"}],
         [{"field_name": "Rating", "display_name": "Tier", "filterable": True, "field_type": "x"}],
         [("Account Rating", "Synced as “Rating”", "Synced as “Tier”, filterable")]),
        ("creation:Lead", [], [{"target_field": "Company", "source": "variable", "value": "company.name",
                                "fallback": "Unknown"}],
         [("Company", "No default", "Company name (LinkedIn) (from our data), if unknown “Unknown”")]),
        ("advanced", [{"setting": "match_lead_email", "value": True}],
         [{"setting": "match_lead_email", "value": False}],
         [("Match Lead by Email", "On", "Off")]),
    ],
)  # fmt: skip
def test_every_section_reads_as_labels(section, before, after, expected):
    labels = FieldLabels({
        "Account": shared_describe("Account"), "Task": task_describe(),
        "Contact": shared_describe("Contact", extra=sb_prospect_fields()),
        "Lead": shared_describe("Lead", extra=sb_prospect_fields()),
    })  # fmt: skip
    rows, reordered = section_changes(section=section, before={"rows": before}, after={"rows": after}, labels=labels)
    assert [(r.what, r.before, r.after) for r in rows] == expected
    assert not reordered


def test_a_field_that_left_the_org_keeps_its_api_name():
    labels = FieldLabels({"Contact": shared_describe("Contact"), "Lead": None})
    assert labels("Contact", "AssistantName") == "Assistant's Name"
    assert labels("Contact", "Gone__c") == "Gone__c"
    assert labels("Lead", "Company") == "Company"  # no describe at hand
