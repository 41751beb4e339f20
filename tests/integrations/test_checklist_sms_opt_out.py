"""The setup checklist's SMS opt-out items against sandbox orgs: none (create ours), one the org has but nobody
chose, ours present, and the one chosen in CRM settings checked like any recommended field."""

import pytest
from django.urls import reverse

from integrations.services.checklist import MISSING, NOT_EDITABLE, OK, WARN, checklist_run
from mappings.models import OptOutField
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db


def opt_out_items(checklist) -> dict:
    section = next(s for s in checklist.sections if s.title == "SMS opt-out")
    return {item.label.split(" ")[0]: item for item in section.items}


def test_an_org_without_an_sms_opt_out_checkbox_is_told_to_create_ours(sandbox_org, salesforce_connection):
    items = opt_out_items(checklist_run(admin=salesforce_connection))

    assert set(items) == {"Contact", "Lead"}
    contact = items["Contact"]
    # DoNotCall and HasOptedOutOfEmail are opt-outs, but not of texts: they do not count.
    assert contact.status == MISSING
    assert "sb_sms_opt_out__c" in contact.label and "Checkbox" in contact.label
    assert "Object Manager › Contact" in contact.fix and "Field Name “sb_sms_opt_out”" in contact.fix
    assert "CRM settings › Contact Mappings › SMS" in contact.fix
    assert items["Lead"].status == MISSING


def test_the_recommended_checkbox_present_but_not_chosen_is_a_warning(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.add_fields(sandbox_org.org_id, "Contact", [{"name": "sb_sms_opt_out__c", "type": "boolean"}])
    sandbox.control.add_fields(sandbox_org.org_id, "Lead", [{"name": "Text_Opt_Out__c", "type": "boolean"}])

    items = opt_out_items(checklist_run(admin=salesforce_connection))

    assert items["Contact"].status == WARN and "not chosen" in items["Contact"].detail
    assert items["Lead"].status == WARN and "Text_Opt_Out__c" in items["Lead"].detail


def test_the_chosen_checkbox_is_checked_for_every_user(sandbox, sandbox_org, salesforce_connection):
    ws = salesforce_connection.workspace
    for sobject in ("Contact", "Lead"):
        sandbox.control.add_fields(sandbox_org.org_id, sobject, [{"name": "SMS_Opt_Out__c", "type": "boolean"}])
        OptOutField.objects.create(workspace=ws, sobject=sobject, target_field="SMS_Opt_Out__c")
    sandbox.control.set_permissions(sandbox_org.org_id, "System Administrator", fields={"Lead.SMS_Opt_Out__c": "read"})

    items = opt_out_items(checklist_run(admin=salesforce_connection))

    assert items["Contact"].status == OK and "chosen in CRM settings" in items["Contact"].label
    assert items["Lead"].status == NOT_EDITABLE


def test_the_checklist_page_shows_the_recommendation(sandbox_org, salesforce_connection):
    client = logged_in_client(salesforce_connection.connected_by)
    page = client.get(reverse("integration_checklist", args=[salesforce_connection.workspace.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "SMS opt-out" in html and "Contact.sb_sms_opt_out__c" not in html  # labelled by object, not dotted
    assert "Contact SMS opt-out · sb_sms_opt_out__c · Checkbox" in html
