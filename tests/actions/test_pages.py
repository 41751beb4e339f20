"""The Actions page lists what automations did, with filters; an admin runs an action from it and the record
appears in the sandbox org."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from actions.models import ActionRun

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_who_input_result_and_attempts_with_filters(agent):
    agent.act("create_task", {"subject": "Send the deck", "who_id": agent.contact_id})
    agent.act("update_opportunity", {"opportunity_id": agent.account_id, "field_values": {"NextStep": "x"}})
    url = f"/w/{agent.crm.workspace.slug}/actions/"
    html = signed_in(agent.crm.owner).get(url).content.decode()
    assert "Send the deck" in html and "API key “notes agent”" in html and "wrong_object" in html
    failed = signed_in(agent.crm.owner).get(url, {"status": "refused"}).content.decode()
    assert "wrong_object" in failed and "Send the deck" not in failed
    by_name = signed_in(agent.crm.owner).get(url, {"name": "create_task", "source": f"key:{agent.key.pk}"})
    assert "Send the deck" in by_name.content.decode()
    run = ActionRun.objects.get(name="create_task")
    detail = signed_in(agent.crm.rep).get(f"{url}{run.pk}/").content.decode()
    assert "Open in Salesforce" in detail and run.record_id in detail and "Attempts" in detail


def test_an_admin_runs_an_action_from_the_page(agent):
    url = f"/w/{agent.crm.workspace.slug}/actions/run/"
    body = json.dumps({"subject": "From the page", "who_id": agent.contact_id})
    response = signed_in(agent.crm.owner).post(url, {"name": "create_task", "body": body}, follow=True)
    assert response.status_code == 200
    run = ActionRun.objects.get()
    assert run.started_by == agent.crm.owner and run.status == "succeeded"
    assert [t["Subject"] for t in agent.records("Task")] == ["From the page"]
    assert "Open in Salesforce" in response.content.decode()


def test_bad_input_on_the_page_is_a_message_not_a_500(agent):
    url = f"/w/{agent.crm.workspace.slug}/actions/run/"
    client = signed_in(agent.crm.owner)
    response = client.post(url, {"name": "create_task", "body": "{not json"})
    assert response.status_code == 400 and "Not valid JSON" in response.content.decode()
    response = client.post(url, {"name": "create_task", "body": json.dumps({"subject": 3, "x": 1})})
    assert response.status_code == 400 and "subject" in response.content.decode()


def test_reps_cannot_run_actions(agent):
    url = f"/w/{agent.crm.workspace.slug}/actions/run/"
    assert signed_in(agent.crm.rep).post(url, {"name": "create_task", "body": "{}"}).status_code == 403
