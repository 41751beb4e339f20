"""What happens once the write is sent: Salesforce's errors translated (its code kept), row locks and 5xx
retried through the ledger without the caller noticing, budget waits answered 202, one Task per Idempotency-Key."""

from __future__ import annotations

import pytest

from actions.models import ActionRun
from activities.models import JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_retries(settings):
    settings.WRITEBACK_BACKOFF_BASE_S = 0.05
    settings.WRITEBACK_BACKOFF_CAP_S = 0.1


def tasks_named(agent, subject: str) -> list[dict]:
    return [t for t in agent.records("Task") if t["Subject"] == subject]


def test_the_same_idempotency_key_creates_one_task(agent):
    body = {"subject": "Send the proposal", "who_id": agent.contact_id}
    first = agent.act("create_task", body, **{"Idempotency-Key": "notes-42"})
    again = agent.act("create_task", body, **{"Idempotency-Key": "notes-42"})
    assert first.status_code == again.status_code == 200
    assert first.json()["data"]["id"] == again.json()["data"]["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert len(tasks_named(agent, "Send the proposal")) == 1 and ActionRun.objects.count() == 1
    other = agent.act("create_task", {**body, "subject": "Other"}, **{"Idempotency-Key": "notes-42"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_row_lock_is_retried_and_invisible(agent, fast_retries):
    agent.fault(
        method="POST",
        path="/services/data/*/sobjects/Task/",
        status=400,
        error_code="UNABLE_TO_LOCK_ROW",
        message="unable to obtain exclusive access to this record",
        times=2,
    )
    response = agent.act("create_task", {"subject": "Locked at first", "who_id": agent.contact_id})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attempts"] == 3
    assert len(tasks_named(agent, "Locked at first")) == 1
    outcomes = list(ActionRun.objects.get().job.attempt_rows.values_list("outcome", "error_code"))
    assert outcomes == [("retry", "UNABLE_TO_LOCK_ROW"), ("retry", "UNABLE_TO_LOCK_ROW"), ("succeeded", "")]


def test_a_persisting_5xx_is_503_after_every_retry(agent, fast_retries, settings):
    settings.WRITEBACK_MAX_ATTEMPTS = 2
    agent.fault(method="POST", path="/services/data/*/sobjects/Task/", status=503, times=5)
    response = agent.act("create_task", {"subject": "Never", "who_id": agent.contact_id})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "salesforce_unavailable" and error["salesforce_code"] == "SERVER_UNAVAILABLE"
    assert not tasks_named(agent, "Never")


def test_a_slow_retry_answers_202_with_a_status_url(agent, settings):
    settings.WRITEBACK_BACKOFF_BASE_S = 60.0
    agent.fault(method="POST", path="/services/data/*/sobjects/Task/", status=500, times=1)
    response = agent.act("create_task", {"subject": "Later", "who_id": agent.contact_id, "wait": 0.5})
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["status"] == "pending" and response["Location"] == data["status_url"]
    assert "HTTP_500" in data["message"] or "Retrying" in data["message"]
    status = agent.get(data["status_url"])
    assert status.status_code == 200 and status.json()["data"]["status"] == "pending"


def test_the_daily_limit_waits_for_budget(agent):
    agent.fault(
        method="POST",
        path="/services/data/*/sobjects/Task/",
        status=403,
        error_code="REQUEST_LIMIT_EXCEEDED",
        message="TotalRequests Limit exceeded.",
        times=1,
    )
    response = agent.act("create_task", {"subject": "Budget", "who_id": agent.contact_id, "wait": 0.5})
    assert response.status_code == 202
    assert "budget returns" in response.json()["data"]["message"]
    assert ActionRun.objects.get().job.status == JobStatus.WAITING_BUDGET


def test_a_deleted_opportunity(agent):
    agent.crm.org.simple_salesforce(agent.crm.org.admin_user).Opportunity.delete(agent.opportunity_id)
    response = agent.act(
        "update_opportunity", {"opportunity_id": agent.opportunity_id, "field_values": {"NextStep": "x"}}
    )
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "record_deleted" and error["salesforce_code"] == "ENTITY_IS_DELETED"


def test_a_contact_that_does_not_exist(agent):
    missing = agent.contact_id[:9] + "zzzzzz"
    response = agent.act("create_task", {"subject": "x", "who_id": missing})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_reference" and error["salesforce_code"] == "INVALID_CROSS_REFERENCE_KEY"


def test_field_level_security_changed_after_our_describe(agent):
    ok = agent.act(
        "update_opportunity",
        {"opportunity_id": agent.opportunity_id, "field_values": {"NextStep": "a"}, "as_user": agent.crm.rep.email},
    )
    assert ok.status_code == 200  # the rep's describe is cached: NextStep writable
    agent.crm.control.set_permissions(agent.crm.org.org_id, "Standard User", fields={"Opportunity.NextStep": "read"})
    response = agent.act(
        "update_opportunity",
        {"opportunity_id": agent.opportunity_id, "field_values": {"NextStep": "b"}, "as_user": agent.crm.rep.email},
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "field_not_writable" and error["salesforce_code"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert "NextStep" in error["message"] and agent.crm.rep_connection.remote_username in error["message"]


def test_an_expired_session_is_refreshed_once_invisibly(agent):
    agent.crm.control.expire_tokens(org=agent.crm.org.org_id)
    response = agent.act("create_task", {"subject": "After expiry", "who_id": agent.contact_id})
    assert response.status_code == 200, response.content


def test_a_revoked_grant_is_reconnect_required(agent):
    agent.crm.control.expire_tokens(org=agent.crm.org.org_id, refresh_tokens=True)
    response = agent.act("create_task", {"subject": "Revoked", "who_id": agent.contact_id})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "reconnect_required"
    assert f"/w/{agent.crm.workspace.slug}/integrations/" in error["message"]
    assert not tasks_named(agent, "Revoked")


def test_a_session_refused_again_after_the_refresh_is_reconnect_required(agent, fast_retries, settings):
    """Refreshed once per attempt, never in a loop; when Salesforce keeps refusing the new session, the caller is
    told to reconnect (with the page), and nothing is written."""
    settings.WRITEBACK_MAX_ATTEMPTS = 2
    agent.fault(
        method="POST",
        path="/services/data/*/sobjects/Task/",
        status=401,
        error_code="INVALID_SESSION_ID",
        message="Session expired or invalid",
        times=10,
    )
    agent.crm.control.clear_requests()  # the log is the session's sandbox's: count this test's calls only
    response = agent.act("create_task", {"subject": "Refused session", "who_id": agent.contact_id})
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "reconnect_required" and error["salesforce_code"] == "INVALID_SESSION_ID"
    assert error["link"].endswith(f"/w/{agent.crm.workspace.slug}/integrations/")
    assert not tasks_named(agent, "Refused session")
    calls = [r for r in agent.crm.control.requests() if r["method"] == "POST" and "/sobjects/Task" in r["path"]]
    assert len(calls) == 4, calls  # two attempts, each one call and one replay after the refresh
