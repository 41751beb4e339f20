"""log_meeting writes an Event; query_records builds SOQL only from describe names and quoted values."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_meeting_is_an_event_on_the_related_records(agent):
    response = agent.act(
        "log_meeting",
        {
            "subject": "QBR",
            "who_id": agent.contact_id,
            "what_id": agent.opportunity_id,
            "start": "2026-05-04T15:00:00+02:00",
            "duration_minutes": 45,
            "description": "Went through the roadmap",
        },
    )
    assert response.status_code == 200, response.content
    event = agent.record("Event", response.json()["data"]["id"])
    assert event["Subject"] == "QBR" and event["WhoId"] == agent.contact_id and event["WhatId"] == agent.opportunity_id
    assert event["StartDateTime"].startswith("2026-05-04T13:00:00") and event["DurationInMinutes"] == 45
    assert event["EndDateTime"].startswith("2026-05-04T13:45:00")


def test_a_meeting_needs_end_or_duration_and_a_real_time(agent):
    response = agent.act("log_meeting", {"subject": "x", "start": "tomorrow at noon"})
    assert response.status_code == 400
    codes = {i["field"]: i["code"] for i in response.json()["error"]["items"]}
    assert codes == {"start": "invalid_datetime", "end": "end_or_duration"}
    response = agent.act(
        "log_meeting", {"subject": "x", "start": "2026-05-04T15:00:00Z", "end": "2026-05-04T14:00:00Z"}
    )
    assert response.json()["error"]["code"] == "end_before_start"


NASTY = ['O\'Brien \\ 100% "real"', 'O\'Brien \\ 100X "real"', 'O\'Brien \\\\ 100% "real"', "50%_off'--"]


@pytest.fixture
def nasty_accounts(agent):
    org = agent.crm.org.org_id
    return dict(zip(NASTY, agent.crm.control.load_records(org, "Account", [{"Name": n} for n in NASTY]), strict=True))


def query(agent, **body):
    return agent.act("query_records", {"object": "Account", "fields": ["Id", "Name"], **body})


def test_a_filter_full_of_quotes_backslashes_and_percent_matches_exactly(agent, nasty_accounts):
    for name, account_id in nasty_accounts.items():
        response = query(agent, filters=[{"field": "Name", "op": "=", "value": name}])
        assert response.status_code == 200, response.content
        assert [r["Id"] for r in response.json()["data"]["records"]] == [account_id], name
    response = query(agent, filters=[{"field": "name", "op": "in", "value": NASTY[:2]}], order_by=[{"field": "Name"}])
    assert {r["Name"] for r in response.json()["data"]["records"]} == set(NASTY[:2])
    response = query(agent, filters=[{"field": "Name", "op": "like", "value": "O'Brien \\ 100%"}])
    assert {r["Name"] for r in response.json()["data"]["records"]} == set(NASTY[:2])
    response = query(
        agent,
        filters=[{"field": "Name", "op": "!=", "value": NASTY[0]}, {"field": "Name", "op": "like", "value": "%'--"}],
    )
    assert [r["Name"] for r in response.json()["data"]["records"]] == [NASTY[3]]


def test_an_injection_attempt_is_a_value_not_soql(agent, nasty_accounts):
    response = query(agent, filters=[{"field": "Name", "op": "=", "value": "x' OR Name != 'x"}])
    assert response.status_code == 200 and response.json()["data"]["records"] == []
    response = query(agent, filters=[{"field": "Name OR Id != null", "op": "=", "value": "x"}])
    assert response.status_code == 400 and response.json()["error"]["items"][0]["code"] == "unknown_field"
    response = agent.act("query_records", {"object": "Account WHERE Name != null", "fields": ["Id"]})
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_object"


def test_every_field_and_value_is_checked_against_describe(agent):
    response = query(
        agent,
        fields=["Id", "Nope__c"],
        filters=[
            {"field": "NumberOfEmployees", "op": "=", "value": "many"},
            {"field": "Name", "op": "in", "value": []},
            {"field": "CreatedDate", "op": ">", "value": "yesterday"},
            {"field": "IsDeleted", "op": "like", "value": "x"},
        ],
        order_by=[{"field": "Description"}],
    )
    assert response.status_code == 400
    codes = {i["field"]: i["code"] for i in response.json()["error"]["items"]}
    assert codes == {
        "fields[1]": "unknown_field",
        "filters[0].value": "invalid_type",
        "filters[1].value": "invalid_list",
        "filters[2].value": "invalid_datetime",
        "filters[3].op": "invalid_operator",
        "order_by[0].field": "not_sortable",
    }


def test_numbers_dates_nulls_and_pages(agent, nasty_accounts):
    org = agent.crm.org.org_id
    agent.crm.control.load_records(
        org, "Account", [{"Name": f"Bulk {n:03}", "NumberOfEmployees": n} for n in range(450)]
    )
    response = query(
        agent,
        fields=["Name", "NumberOfEmployees"],
        filters=[
            {"field": "NumberOfEmployees", "op": ">=", "value": 100},
            {"field": "Website", "op": "is_null", "value": True},
            {"field": "CreatedDate", "op": ">", "value": "2000-01-01T00:00:00Z"},
        ],
        order_by=[{"field": "NumberOfEmployees", "direction": "desc"}],
        limit=1000,
        page_size=200,
    )
    assert response.status_code == 200, response.content
    page = response.json()["data"]
    assert page["total_size"] == 350 and len(page["records"]) == 200 and page["records"][0]["NumberOfEmployees"] == 449
    second = agent.act("query_records", {"cursor": page["next_cursor"]}).json()["data"]
    assert len(second["records"]) == 150 and second["next_cursor"] is None
    assert second["records"][-1]["NumberOfEmployees"] == 100
    bad = agent.act("query_records", {"cursor": "../../sobjects/User"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


def test_query_needs_records_read(agent):
    from activities.services.keys import api_key_create

    _, raw = api_key_create(
        workspace=agent.crm.workspace, name="w", created_by=agent.crm.owner, scopes=["actions:write"]
    )
    agent.raw = raw
    assert query(agent).status_code == 403
