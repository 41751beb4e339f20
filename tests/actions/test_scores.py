"""Score write-back: off until an admin opts in, mapped on an admin page (with a dry run), written 200 accounts
per sObject Collections call through the ledger, the last value per account winning."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from actions.models import ActionRun, ScoreBatch
from activities.models import JobAction, WritebackJob

pytestmark = pytest.mark.django_db


def admin_client(agent) -> Client:
    client = Client()
    client.force_login(agent.crm.owner)
    return client


@pytest.fixture
def mapped(agent):
    """Health__c (number), Churn_Risk__c (restricted picklist) and a formula field; scores on, mapped."""
    org = agent.crm.org.org_id
    agent.crm.control.add_fields(
        org,
        "Account",
        [
            {"name": "Health__c", "type": "double"},
            {"name": "Churn_Risk__c", "type": "picklist", "values": ["Low", "Medium", "High"], "restricted": True},
        ],
    )
    url = f"/w/{agent.crm.workspace.slug}/actions/scores/"
    page = admin_client(agent).get(url).content.decode()
    assert 'value="Health__c"' in page and 'value="Churn_Risk__c"' in page
    assert 'value="Name"' in page and 'value="CreatedDate"' not in page  # read-only fields are not offered
    form = {
        "s-enabled": "on",
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-0-score_name": "health",
        "m-0-account_field": "Health__c",
        "m-1-score_name": "churn_risk",
        "m-1-account_field": "Churn_Risk__c",
        "save": "1",
    }
    response = admin_client(agent).post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return agent


def scores(agent, rows, **extra):
    return agent.post("/api/v1/accounts/scores", {"accounts": rows, **extra})


def test_off_by_default(agent):
    response = scores(agent, [{"account_id": agent.account_id, "scores": {"health": 1}}])
    assert response.status_code == 403 and response.json()["error"]["code"] == "scores_disabled"


def test_last_value_per_account_wins_and_values_are_checked(mapped):
    agent = mapped
    rows = [
        {"account_id": agent.account_id[:15], "scores": {"health": 10, "churn_risk": "High"}},
        {"account_id": agent.account_id, "scores": {"health": 82.5}},
    ]
    response = scores(agent, rows)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["accounts"] == 1 and data["written"] == 1 and data["batches"] == 1 and data["failed"] == []
    account = agent.record("Account", agent.account_id)
    assert account["Health__c"] == 82.5 and account["Churn_Risk__c"] == "High"
    bad = scores(
        agent,
        [
            {"account_id": agent.contact_id, "scores": {"health": 1}},
            {"account_id": agent.account_id, "scores": {"churn_risk": "high-ish", "nps": 3}},
        ],
    )
    assert bad.status_code == 400
    codes = {(i["field"], i["code"]) for i in bad.json()["error"]["items"]}
    assert codes == {
        ("accounts[0].account_id", "wrong_object"),
        ("accounts[1].scores.churn_risk", "invalid_picklist_value"),
        ("accounts[1].scores.nps", "unknown_score"),
    }


def test_ten_thousand_accounts_in_at_most_fifty_calls(mapped):
    agent = mapped
    org = agent.crm.org.org_id
    ids = agent.crm.control.load_records(org, "Account", fields=["Name"], rows=[[f"Acct {n}"] for n in range(10_000)])
    agent.crm.control.clear_requests()
    rows = [{"account_id": account_id, "scores": {"health": n % 100}} for n, account_id in enumerate(ids)]
    response = scores(agent, rows, wait=60)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["data"]["written"] == 10_000
    calls = agent.crm.control.requests(org=org, limit=1000)
    assert sum(c["api_cost"] for c in calls) <= 50, [c["path"] for c in calls]
    written = {r["Id"]: r.get("Health__c") for r in agent.records("Account")}
    assert all(written[account_id] == n % 100 for n, account_id in enumerate(ids))
    assert WritebackJob.objects.filter(action=JobAction.ACTION_RUN).count() == 50 == ScoreBatch.objects.count()


def test_a_refused_account_is_reported_and_the_rest_written(mapped):
    agent = mapped
    org = agent.crm.org.org_id
    gone, kept = agent.crm.control.load_records(org, "Account", [{"Name": "Gone"}, {"Name": "Kept"}])
    agent.crm.org.simple_salesforce(agent.crm.org.admin_user).Account.delete(gone)
    response = scores(
        agent, [{"account_id": gone, "scores": {"health": 5}}, {"account_id": kept, "scores": {"health": 6}}]
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["written"] == 1 and [f["account_id"] for f in data["failed"]] == [gone]
    assert data["failed"][0]["code"] == "ENTITY_IS_DELETED"
    assert agent.record("Account", kept)["Health__c"] == 6


def test_dry_run_writes_nothing(mapped):
    agent = mapped
    agent.crm.control.clear_requests()
    response = scores(agent, [{"account_id": agent.account_id, "scores": {"health": 3}}], dry_run=True)
    assert response.status_code == 200 and response.json()["data"]["preview"] == [
        {"id": agent.account_id, "Health__c": 3}
    ]
    assert (
        "Health__c" not in agent.record("Account", agent.account_id)
        or agent.record("Account", agent.account_id)["Health__c"] is None
    )
    assert not WritebackJob.objects.filter(action=JobAction.ACTION_RUN).exists()


def test_the_admin_page_previews_a_request(mapped):
    agent = mapped
    url = f"/w/{agent.crm.workspace.slug}/actions/scores/"
    rows = json.dumps(
        [
            {"account_id": agent.account_id, "scores": {"health": 40}},
            {"account_id": agent.account_id, "scores": {"health": 41, "churn_risk": "Low"}},
        ]
    )
    html = admin_client(agent).post(url, {"d-rows": rows, "preview": "1"}).content.decode()
    assert "Health__c = 41" in html and "Churn_Risk__c = Low" in html
    html = admin_client(agent).post(url, {"d-rows": json.dumps([{"account_id": "x", "scores": {}}]), "preview": "1"})
    assert "not a Salesforce id" in html.content.decode()
    assert ActionRun.objects.count() == 0
