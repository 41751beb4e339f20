"""The SMS opt-out checkbox: only sensible fields offered, ours recommended when the org has none, and chosen by
the stock defaults (credited to Switchboard) when the org has it."""

import pytest

from mappings.models import OptOutField, SettingsChange
from tests.mappings.conftest import cached_connection, crm_url
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe

pytestmark = pytest.mark.django_db


STANDARD_OPT_OUTS = (
    sf_field("DoNotCall", "boolean", label="Do Not Call"),
    sf_field("HasOptedOutOfEmail", "boolean", label="Email Opt Out"),
)
"""Standard checkboxes of a real org's Contact and Lead: opt-outs, but of calls and email, not texts."""


def describes(*, contact=(), lead=()) -> dict:
    return {
        "Task": task_describe(sb_fields=True),
        "Contact": shared_describe("Contact", extra=(*sb_prospect_fields(), *STANDARD_OPT_OUTS, *contact)),
        "Lead": shared_describe("Lead", extra=(*sb_prospect_fields(), *STANDARD_OPT_OUTS, *lead)),
        "Account": shared_describe("Account"),
    }


def offered(response) -> list[str]:
    return [f["name"] for f in response.context["form"].offered]


def test_the_dropdown_offers_opt_out_checkboxes_sms_first_and_never_sequence_state(owner_client, owner):
    extra = (
        sf_field("Text_Opt_Out__c", "boolean", label="Text Opt Out"),
        sf_field("Do_Not_Text_Reason__c", "string", length=80, label="Do Not Text Reason"),  # not a checkbox
        sf_field("Opted_Out_Legacy__c", "boolean", createable=False, updateable=False),  # we could not tick it
        sf_field("VIP__c", "boolean", label="VIP"),  # a checkbox, but not an opt-out
    )
    cached_connection(owner.workspace, describes(contact=extra))
    response = owner_client.get(crm_url(owner.workspace, "contact/sms/"))
    names = offered(response)
    assert names[:2] == ["sb_smsoptout__c", "Text_Opt_Out__c"]  # about texts first
    assert set(names[2:]) == {"DoNotCall", "HasOptedOutOfEmail"}
    html = response.content.decode()
    assert "sb_activeinsequence__c" not in html and "Active in Sequence" not in html
    assert 'data-testid="no-opt-out-field"' not in html


def test_an_org_without_an_sms_checkbox_is_told_to_create_ours(owner_client, owner):
    described = describes()
    for sobject in ("Contact", "Lead"):
        described[sobject]["fields"] = [f for f in described[sobject]["fields"] if f["name"] != "sb_smsoptout__c"]
    cached_connection(owner.workspace, described)
    response = owner_client.get(crm_url(owner.workspace, "lead/sms/"))
    assert "sb_smsoptout__c" not in offered(response) and "DoNotCall" in offered(response)
    html = response.content.decode()
    assert 'data-testid="no-opt-out-field"' in html
    assert "(those listed are about calls or email)" in html and "“sb_sms_opt_out”" in html


def test_stock_defaults_choose_our_checkbox_and_credit_switchboard(owner_client, owner):
    ours = sf_field("sb_sms_opt_out__c", "boolean", label="SMS Opt Out", nillable=False, defaultValue=False)
    cached_connection(owner.workspace, describes(contact=(ours,)))
    response = owner_client.get(crm_url(owner.workspace, "contact/sms/"))
    assert response.context["form"].initial == {"contact_field": "sb_sms_opt_out__c"}
    assert {r.sobject: r.target_field for r in OptOutField.objects.filter(workspace=owner.workspace)} == {
        "Contact": "sb_sms_opt_out__c",
        "Lead": None,
    }
    change = SettingsChange.objects.get(workspace=owner.workspace, section="opt_out")
    assert change.actor is None and change.summary.startswith("Stock defaults")
    history = owner_client.get(crm_url(owner.workspace, "history/")).content.decode()
    assert "Switchboard (stock defaults)" in history


def test_stock_defaults_leave_a_chosen_checkbox_alone(owner_client, owner):
    ours = sf_field("sb_sms_opt_out__c", "boolean", label="SMS Opt Out")
    cached_connection(owner.workspace, describes(contact=(ours,)))
    OptOutField.objects.create(workspace=owner.workspace, sobject="Lead", target_field="DoNotCall")
    owner_client.get(crm_url(owner.workspace, "contact/sms/"))
    assert {r.sobject: r.target_field for r in OptOutField.objects.filter(workspace=owner.workspace)} == {
        "Lead": "DoNotCall"
    }
