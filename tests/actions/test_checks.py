"""Salesforce's rules checked before the call: refused requests send nothing to the org and say what to send."""

from __future__ import annotations

import pytest

from actions.models import ActionRun
from activities.models import JobAction, WritebackJob

pytestmark = pytest.mark.django_db


def writes(agent) -> list[dict]:
    return [r for r in agent.crm.control.requests(org=agent.crm.org.org_id) if r["method"] in ("POST", "PATCH")]


def test_an_account_id_as_opportunity_id_is_wrong_object(agent):
    agent.crm.control.clear_requests()
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.account_id, "field_values": {"NextStep": "Demo"}}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "wrong_object" and "is an Account id" in error["message"]
    assert error["items"][0]["object"] == "Account" and error["items"][0]["expected"] == ["Opportunity"]
    assert not writes(agent) and not WritebackJob.objects.filter(action=JobAction.ACTION_RUN).exists()
    run = ActionRun.objects.get()
    assert run.status == "refused" and run.error_code == "wrong_object" and run.attempts == 0


def test_a_malformed_id(agent):
    response = agent.act("create_task", {"subject": "x", "who_id": "003xyz"})
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == "invalid_id" and error["salesforce_code"] == "MALFORMED_ID"


def test_a_contact_id_as_what_id(agent):
    response = agent.act("create_task", {"subject": "x", "what_id": agent.contact_id})
    assert response.status_code == 400 and response.json()["error"]["code"] == "wrong_object"


def test_a_near_miss_stage_name_suggests_the_real_one(agent):
    agent.crm.control.clear_requests()
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"StageName": "closed  won"}}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_picklist_value"
    item = error["items"][0]
    assert item["field"] == "StageName" and item["suggestion"] == "Closed Won"
    assert "Prospecting" in item["valid_values"] and "Did you mean “Closed Won”?" in error["message"]
    assert not writes(agent)
    assert agent.record("Opportunity", agent.opportunity_id)["StageName"] == "Prospecting"


def test_a_restricted_picklist_lists_the_valid_values(agent):
    agent.crm.control.add_field(
        agent.crm.org.org_id, "Opportunity", "Tier__c", "picklist", values=["Gold", "Silver"], restricted=True
    )
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"Tier__c": "Platinum"}}
    )
    error = response.json()["error"]
    assert response.status_code == 400 and error["code"] == "invalid_picklist_value"
    assert error["items"][0]["valid_values"] == ["Gold", "Silver"]
    assert error["salesforce_code"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_a_field_hidden_by_field_level_security_for_the_member(agent):
    org = agent.crm.org.org_id
    agent.crm.control.set_permissions(
        org, "Standard User", fields={"Opportunity.Amount": "hidden", "Opportunity.NextStep": "read"}
    )
    body = {
        "opportunity_id": agent.opportunity_id,
        "field_values": {"Amount": 5000, "NextStep": "Demo"},
        "as_user": agent.crm.rep.email,
    }
    response = agent.act("update_opportunity", body)
    assert response.status_code == 400
    items = {i["field"]: i for i in response.json()["error"]["items"]}
    assert items["Amount"]["code"] == "unknown_field" and "field-level security" in items["Amount"]["message"]
    fls = items["NextStep"]
    assert fls["code"] == "field_not_writable" and fls["salesforce_code"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert agent.crm.rep_connection.remote_username in fls["message"] and "Set Field-Level Security" in fls["message"]
    # The admin's own connection may write both.
    response = agent.act("update_opportunity", {**body, "as_user": None})
    assert response.status_code == 200, response.content
    assert agent.record("Opportunity", agent.opportunity_id)["NextStep"] == "Demo"


def test_types_lengths_and_dates(agent):
    response = agent.act(
        "update_opportunity",
        {
            "opportunity_id": agent.opportunity_id,
            "field_values": {"Amount": "lots", "CloseDate": "30/09/2026", "NextStep": "x" * 300, "IsPrivate": "yes"},
        },
    )
    assert response.status_code == 400
    codes = {i["field"]: i["code"] for i in response.json()["error"]["items"]}
    assert codes == {
        "Amount": "invalid_type",
        "CloseDate": "invalid_date",
        "NextStep": "string_too_long",
        "IsPrivate": "invalid_type",
    }


def test_unknown_fields_suggest_a_spelling(agent):
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"NextStepp": "Demo"}}
    )
    item = response.json()["error"]["items"][0]
    assert item["code"] == "unknown_field" and item["suggestion"] == "NextStep"


def test_a_field_added_in_setup_after_our_copy_of_the_describe(agent):
    ok = agent.act("update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"NextStep": "a"}})
    assert ok.status_code == 200  # the describe is now cached
    agent.crm.control.add_field(agent.crm.org.org_id, "Opportunity", "Health__c", "double")
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"Health__c": 7.5}}
    )
    assert response.status_code == 200, response.content
    assert agent.record("Opportunity", agent.opportunity_id)["Health__c"] == 7.5


def test_schema_errors_are_400_in_our_shape(agent):
    response = agent.act("create_task", {"subject": "", "priority": 3, "colour": "red"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert {i["field"] for i in error["items"]} >= {"subject", "priority", "colour"}


def test_a_lead_with_a_related_record_is_refused(agent):
    response = agent.act("create_task", {"subject": "x", "who_id": agent.lead_id, "what_id": agent.account_id})
    assert response.status_code == 400 and response.json()["error"]["code"] == "lead_with_what"
