"""create_task against the sandbox over HTTP: the Task lands in the org, ids of every length are accepted."""

from __future__ import annotations

import pytest

from actions.models import ActionRun
from activities.models import JobAction, WritebackJob

pytestmark = pytest.mark.django_db


def test_a_task_is_created_with_a_link(agent):
    response = agent.act(
        "create_task",
        {
            "subject": "Follow up on pricing",
            "who_id": agent.contact_id,
            "what_id": agent.account_id,
            "activity_date": "2026-06-01",
            "priority": "High",
            "description": "From the call notes",
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    task = agent.record("Task", data["id"])
    assert task["Subject"] == "Follow up on pricing" and task["WhoId"] == agent.contact_id
    assert task["WhatId"] == agent.account_id and task["ActivityDate"] == "2026-06-01"
    assert task["TaskSubtype"] == "Call" and task["Priority"] == "High"
    assert task["CreatedById"] == agent.crm.admin_connection.remote_user_id  # the admin connection acts by default
    assert data["object"] == "Task" and data["link"].endswith(f"/lightning/r/Task/{data['id']}/view")
    run = ActionRun.objects.get()
    assert run.job.action == JobAction.ACTION_RUN and run.job.attempts == 1 and run.job.remote_id == data["id"]
    assert run.who == "API key “notes agent”" and "Follow up on pricing" in run.summary


def test_a_15_character_id_is_normalised(agent):
    response = agent.act("create_task", {"subject": "Call back", "who_id": agent.contact_id[:15]})
    assert response.status_code == 200, response.content
    assert agent.record("Task", response.json()["data"]["id"])["WhoId"] == agent.contact_id


def test_as_user_acts_as_the_member(agent):
    response = agent.act("create_task", {"subject": "Mine", "who_id": agent.contact_id, "as_user": agent.crm.rep.email})
    assert response.status_code == 200, response.content
    task = agent.record("Task", response.json()["data"]["id"])
    assert task["CreatedById"] == agent.crm.rep_connection.remote_user_id
    assert WritebackJob.objects.get(action=JobAction.ACTION_RUN).user == agent.crm.rep


def test_a_member_without_a_connection_gets_reconnect_required_with_the_link(agent):
    from tests.factories import MembershipFactory

    loner = MembershipFactory(workspace=agent.crm.workspace)
    response = agent.act("create_task", {"subject": "x", "as_user": loner.user.email})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "reconnect_required"
    assert f"/w/{agent.crm.workspace.slug}/integrations/" in error["message"] and loner.user.email in error["message"]
    assert error["link"] == f"http://testserver/w/{agent.crm.workspace.slug}/integrations/"
    assert not WritebackJob.objects.filter(action=JobAction.ACTION_RUN).exists()
    assert ActionRun.objects.get().status == "refused"


def test_custom_fields_by_api_name(agent):
    agent.crm.control.add_field(agent.crm.org.org_id, "Task", "Region__c", "string", length=20)
    response = agent.act("create_task", {"subject": "x", "fields": {"region__c": "EMEA"}})
    assert response.status_code == 200, response.content
    assert agent.record("Task", response.json()["data"]["id"])["Region__c"] == "EMEA"
