"""Validation rules set through the control API refuse REST, Collections and Bulk writes with Salesforce's
FIELD_CUSTOM_VALIDATION_EXCEPTION and the rule's own message; the rule checks the record as it would be saved."""

from __future__ import annotations

import pytest

from sandbox.client import ControlAPIError


@pytest.fixture
def rule(sandbox, sandbox_org):
    return sandbox.control.add_validation_rule(
        sandbox_org.org_id,
        "Opportunity",
        "Closed_Won_Needs_Amount",
        [{"field": "StageName", "op": "=", "value": "Closed Won"}, {"field": "Amount", "op": "is_blank"}],
        "Enter an Amount before closing the deal.",
        error_field="Amount",
    )


def opportunity(api, **fields) -> str:
    body = {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-09-30", **fields}
    response = api.post("sobjects/Opportunity/", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_update_that_breaks_the_rule_is_refused(api, rule):
    record_id = opportunity(api)
    response = api.patch(f"sobjects/Opportunity/{record_id}", json={"StageName": "Closed Won"})
    assert response.status_code == 400
    assert response.json() == [
        {
            "message": "Enter an Amount before closing the deal.",
            "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "fields": ["Amount"],
        }
    ]
    assert api.get(f"sobjects/Opportunity/{record_id}").json()["StageName"] == "Prospecting"
    ok = api.patch(f"sobjects/Opportunity/{record_id}", json={"StageName": "Closed Won", "Amount": 10})
    assert ok.status_code == 204


def test_an_insert_and_collections_are_checked_too(api, rule):
    response = api.post(
        "sobjects/Opportunity/", json={"Name": "D", "StageName": "Closed Won", "CloseDate": "2026-09-30"}
    )
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    results = api.post(
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                {
                    "attributes": {"type": "Opportunity"},
                    "Name": "A",
                    "StageName": "Closed Won",
                    "CloseDate": "2026-09-30",
                },
                {
                    "attributes": {"type": "Opportunity"},
                    "Name": "B",
                    "StageName": "Closed Won",
                    "CloseDate": "2026-09-30",
                    "Amount": 5,
                },
            ],
        },
    ).json()
    assert results[0]["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert results[0]["errors"][0]["message"] == "Enter an Amount before closing the deal."
    assert results[1]["success"] is True


def test_rules_are_listed_replaced_deactivated_and_deleted(sandbox, sandbox_org, api, rule):
    control, org = sandbox.control, sandbox_org.org_id
    assert [r["name"] for r in control.validation_rules(org)] == ["Closed_Won_Needs_Amount"]
    control.add_validation_rule(
        org,
        "Opportunity",
        "Closed_Won_Needs_Amount",
        {"field": "StageName", "op": "=", "value": "Closed Won"},
        "Off",
        active=False,
    )
    assert len(control.validation_rules(org)) == 1
    record_id = opportunity(api, StageName="Closed Won")  # the inactive rule no longer fires
    control.add_validation_rule(
        org,
        "Task",
        "Calls_Need_A_Result",
        [{"field": "TaskSubtype", "op": "=", "value": "Call"}, {"field": "CallDisposition", "op": "is_blank"}],
        "Calls need a result",
    )
    assert api.post("sobjects/Task/", json={"Subject": "x", "TaskSubtype": "Call"}).json()[0]["message"] == (
        "Calls need a result"
    )
    assert control.delete_validation_rules(org, sobject="Task") == 1
    assert api.post("sobjects/Task/", json={"Subject": "x", "TaskSubtype": "Call"}).status_code == 201
    assert record_id


@pytest.mark.parametrize("bad", [{"field": "Nope__c", "op": "="}, {"field": "Amount", "op": "~"}, "not a condition"])
def test_a_bad_rule_is_a_400_naming_the_problem(sandbox, sandbox_org, bad):
    with pytest.raises(ControlAPIError) as raised:
        sandbox.control.add_validation_rule(sandbox_org.org_id, "Opportunity", "R", bad, "m")
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("op", "value", "amount", "fires"),
    [
        (">", 1000, 1500, True),
        (">", 1000, 500, False),
        ("<=", 10, 10, True),
        ("!=", 5, 5, False),
        ("not_blank", None, 1, True),
        (">", 1000, None, False),
    ],
)
def test_comparisons(sandbox, sandbox_org, api, op, value, amount, fires):
    sandbox.control.add_validation_rule(
        sandbox_org.org_id, "Opportunity", "R", {"field": "Amount", "op": op, "value": value}, "Refused"
    )
    fields = {"Name": "D", "StageName": "Prospecting", "CloseDate": "2026-09-30"}
    if amount is not None:
        fields["Amount"] = amount
    response = api.post("sobjects/Opportunity/", json=fields)
    assert (response.status_code == 400) is fires
