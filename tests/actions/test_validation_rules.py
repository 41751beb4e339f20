"""A validation rule in the org (set through the sandbox's control API, no canned answer) refuses the write:
the action answers with the rule's own message, and the writeback engine fails the Task with a link to fix."""

from __future__ import annotations

import pytest

from activities.models import JobAction, JobStatus, WritebackJob
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db


def test_an_opportunity_update_refused_by_a_rule(agent):
    agent.crm.control.add_validation_rule(
        agent.crm.org.org_id,
        "Opportunity",
        "Closed_Won_Needs_Amount",
        [{"field": "StageName", "op": "=", "value": "Closed Won"}, {"field": "Amount", "op": "is_blank"}],
        "Enter an Amount before closing the deal.",
        error_field="Amount",
    )
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"StageName": "Closed Won"}}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_rule" and error["salesforce_code"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert "Enter an Amount before closing the deal." in error["message"]
    assert agent.record("Opportunity", agent.opportunity_id)["StageName"] == "Prospecting"
    ok = agent.act(
        "update_opportunity",
        {"opportunity_id": agent.opportunity_id, "field_values": {"StageName": "Closed Won", "Amount": 12000}},
    )
    assert ok.status_code == 200, ok.content


def test_the_writeback_engine_meets_a_real_rule(crm):
    crm.control.add_validation_rule(
        crm.org.org_id,
        "Task",
        "Calls_Need_A_Result",
        {"field": "Subject", "op": "contains", "value": "Touch"},
        "Calls need a result",
    )
    crm.ingest([activity_event(1, rep=crm.rep)])
    crm.drain()
    job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert "validation rule" in job.last_error_message and "Calls need a result" in job.last_error_message
    assert job.fix_url == f"/w/{crm.workspace.slug}/settings/crm/tasks/call/"
    assert crm.tasks() == []
