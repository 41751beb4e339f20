"""The setup guide's rules not covered elsewhere, end to end against the sandbox: match precedence, creation
defaults and Account match, who creates the prospect, retry classes, the API budget, permanent refusals."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, AttemptOutcome, JobAction, JobStatus, Prospect, WritebackAttempt, WritebackJob
from activities.services.writeback.recorder import RecordingClient
from integrations.models import Connection
from mappings.models import CreationDefault, CrmSettings, OptOutField
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db
WRITE = "/services/data/*/composite/sobjects"
"""A known prospect's Task goes in one sObject Collections call (no lookup, no Composite)."""


def later(hours: float = 3):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture(autouse=True)
def _clear_faults(sandbox):
    yield
    sandbox.control.clear_faults()


def known_prospect(crm) -> None:
    """prospect1@example.org is in Salesforce and mapped, so the next activity for it is a single write."""
    crm.ingest([activity_event(1, rep=crm.rep)])
    assert Prospect.objects.get(email="prospect1@example.org").salesforce_id


def record_error(code: str, message: str, fields=()) -> list[dict]:
    return [
        {"id": None, "success": False, "errors": [{"statusCode": code, "message": message, "fields": list(fields)}]}
    ]


class TestMatching:
    def test_contact_email_beats_name_and_a_contact_beats_a_lead(self, crm):
        org = crm.org.org_id
        (cedar,) = crm.control.load_records(org, "Account", [{"Name": "Cedar"}])
        by_email, by_name = crm.control.load_records(org, "Contact", [
            {"LastName": "Other", "FirstName": "Ann", "Email": "ann@example.org"},
            {"LastName": "Lane", "FirstName": "Ann", "AccountId": cedar},  # a name matches only with the company
        ])  # fmt: skip
        (lead,) = crm.control.load_records(org, "Lead", [{"LastName": "Lane", "Company": "C", "Email": "al@x.org"}])
        crm.ingest([
            # Email matches one Contact, the name another: Email wins.
            activity_event(1, rep=crm.rep, prospect={"email": "ann@example.org", "first_name": "Ann",
                                                     "last_name": "Lane", "company": {"name": "Cedar"}}),
            # Email matches a Lead, the name a Contact of the same company: the Contact wins.
            activity_event(2, rep=crm.rep, prospect={"email": "al@x.org", "first_name": "Ann", "last_name": "Lane",
                                                     "company": {"name": "Cedar"}}),
        ])  # fmt: skip
        who = {t["Subject"]: t["WhoId"] for t in crm.tasks()}
        assert who == {"Call: Touch 1": by_email, "Call: Touch 2": by_name}
        assert lead not in who.values()
        assert len(crm.records("Contact")) == 2 and len(crm.records("Lead")) == 1

    def test_no_match_on_a_different_linkedin_field_than_configured(self, crm):
        org = crm.org.org_id
        crm.control.add_fields(org, "Contact", [{"name": "LinkedIn_URL__c", "type": "url"},
                                                {"name": "Profile__c", "type": "url"}])  # fmt: skip
        crm.control.load_records(org, "Contact", [{"LastName": "Linked", "Profile__c": "https://linkedin.com/in/kim"}])
        CrmSettings.objects.create(workspace=crm.workspace, linkedin_url_field_contact="LinkedIn_URL__c")
        kim = {"email": "kim@new.org", "first_name": "Kim", "last_name": "New",
               "linkedin_url": "https://linkedin.com/in/kim"}  # fmt: skip
        crm.ingest([activity_event(1, rep=crm.rep, prospect=kim)])
        created = [c for c in crm.records("Contact") if c.get("Email") == "kim@new.org"]
        assert len(created) == 1 and created[0]["LinkedIn_URL__c"] == "https://linkedin.com/in/kim"
        assert Prospect.objects.get().matched_by == "created"


class TestCreation:
    def test_contact_gets_creation_defaults_and_the_existing_account(self, crm):
        (account,) = crm.control.load_records(crm.org.org_id, "Account", [{"Name": "Company 1"}])
        CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="LeadSource",
                                       source="constant", value="Partner Referral")  # fmt: skip
        CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Title",
                                       source="variable", value="prospect.title", fallback="Unknown title")  # fmt: skip
        crm.ingest([activity_event(1, rep=crm.rep)])
        (contact,) = crm.records("Contact")
        assert contact["AccountId"] == account
        assert (contact["LeadSource"], contact["Title"]) == ("Partner Referral", "Unknown title")
        assert [a["Id"] for a in crm.records("Account")] == [account]  # matched, not created again
        assert crm.records("Opportunity") == []

    def test_lead_gets_creation_defaults(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, new_prospect_as="lead")
        CreationDefault.objects.create(workspace=crm.workspace, sobject="Lead", target_field="LeadSource",
                                       source="constant", value="Web")  # fmt: skip
        crm.ingest([activity_event(1, rep=crm.rep)])
        (lead,) = crm.records("Lead")
        assert lead["LeadSource"] == "Web" and lead["CreatedById"] == crm.rep_connection.remote_user_id
        assert crm.records("Account") == [] and crm.records("Opportunity") == []

    def test_the_sequencing_rep_creates_the_prospect_even_if_another_reps_event_comes_first(self, crm):
        prospect = {"email": "seq@example.org", "first_name": "Sue", "last_name": "Quence"}
        crm.ingest([
            activity_event(1, rep=crm.rep2, prospect=prospect),
            {"type": "enrollment", "event": "enrolled", "user": crm.rep.email, "prospect": prospect,
             "occurred_at": "2026-05-01T09:00:00Z", "sequence": {"name": "Outbound", "step": "1"}},
        ])  # fmt: skip
        crm.drain()  # the rep whose Task waited on the creation goes at the next sweep
        (contact,) = crm.records("Contact")
        assert contact["CreatedById"] == crm.rep_connection.remote_user_id
        (task,) = crm.tasks()
        assert task["WhoId"] == contact["Id"]
        assert task["OwnerId"] == task["CreatedById"] == crm.rep2_connection.remote_user_id
        sync = WritebackJob.objects.get(action=JobAction.PROSPECT_SYNC)
        assert sync.user == crm.rep and sync.connection == crm.rep_connection


class TestRetryClasses:
    @pytest.mark.parametrize("status", [420, 500, 502])
    def test_other_transient_statuses_retry(self, crm, status):
        known_prospect(crm)
        crm.control.fault(method="POST", path=WRITE, status=status, error_code="SERVER_UNAVAILABLE", times=1,
                          org=crm.org.org_id)  # fmt: skip
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        assert job.status == JobStatus.PENDING and job.attempts == 1
        assert WritebackAttempt.objects.get(job=job).status_code == status
        crm.drain(now=later())
        assert len(crm.tasks()) == 2
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED

    def test_timeout_after_the_write_landed_does_not_write_twice(self, crm, monkeypatch):
        known_prospect(crm)
        monkeypatch.setattr(RecordingClient, "timeout", (5.0, 0.5))
        # Salesforce is slow: it writes the Task after we stopped waiting for the answer.
        crm.control.fault(method="POST", path=WRITE, action="delay", delay_ms=1500, times=1, org=crm.org.org_id)
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        assert job.status == JobStatus.PENDING and job.last_error_code == "TIMEOUT"
        deadline = time.monotonic() + 10
        while len(crm.tasks()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(crm.tasks()) == 2  # the slow write did land

        crm.drain(now=later())
        tasks = crm.tasks()
        assert len(tasks) == 2, [t["Subject"] for t in tasks]
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED
        landed = next(t["Id"] for t in tasks if t["Subject"] == "Call: Touch 2")
        assert Activity.objects.get(external_id="act-2").salesforce_task_id == landed

    def test_row_lock_on_one_record_of_a_collection_is_retried(self, crm):
        known_prospect(crm)
        crm.control.fault(method="POST", path=WRITE, status=200, times=1, org=crm.org.org_id,
                          body=record_error("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access"))  # fmt: skip
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        assert (job.status, job.last_error_code) == (JobStatus.PENDING, "UNABLE_TO_LOCK_ROW")
        assert job.next_attempt_at > timezone.now()
        crm.drain(now=later())
        assert len(crm.tasks()) == 2 and WritebackJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED

    def test_backoff_grows_between_attempts(self, crm):
        known_prospect(crm)
        crm.control.fault(method="POST", path=WRITE, status=503, org=crm.org.org_id)
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        delays = []
        for _ in range(6):
            job.refresh_from_db()
            if job.status != JobStatus.PENDING:
                break
            delays.append((job.next_attempt_at - job.updated_at).total_seconds())
            crm.drain(now=job.next_attempt_at + timedelta(seconds=1))
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.attempts == 5
        assert len(delays) == 4 and delays == sorted(delays) and delays[-1] > delays[0] * 4
        outcomes = list(WritebackAttempt.objects.filter(job=job).values_list("outcome", flat=True))
        assert outcomes == [AttemptOutcome.RETRY] * 4 + [AttemptOutcome.FAILED]
        assert len(crm.tasks()) == 1


class TestBudget:
    def test_usage_read_from_salesforce_pauses_writes_at_the_configured_share(self, crm):
        crm.control.settings(crm.org.org_id, api_limit=1000, api_used=845)
        crm.ingest([activity_event(1, rep=crm.rep)])  # under 80% when it starts; its calls report ~85%
        assert len(crm.tasks()) == 1
        rep = Connection.objects.get(pk=crm.rep_connection.pk)
        assert rep.api_usage_max == 1000 and rep.api_usage_used >= 846
        crm.control.clear_requests()
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        assert job.status == JobStatus.WAITING_BUDGET and "80%" in job.last_error_message
        assert crm.control.requests(org=crm.org.org_id) == []  # not one call spent over the ceiling

        CrmSettings.objects.update_or_create(workspace=crm.workspace, defaults={"api_budget_percent": 90})
        crm.drain(now=later())
        assert len(crm.tasks()) == 2 and WritebackJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


class TestPermanentRefusals:
    def test_validation_rule_fails_at_once_with_a_link_to_the_mapping(self, crm):
        known_prospect(crm)
        crm.control.fault(method="POST", path=WRITE, status=200, times=1, org=crm.org.org_id,
                          body=record_error("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Calls need a result"))  # fmt: skip
        crm.ingest([activity_event(2, rep=crm.rep, email="prospect1@example.org")])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE, activity__external_id="act-2")
        assert job.status == JobStatus.FAILED and job.attempts == 1
        assert "validation rule" in job.last_error_message and "Calls need a result" in job.last_error_message
        assert job.fix_url == f"/w/{crm.workspace.slug}/settings/crm/tasks/call/"
        crm.drain(now=later(24))
        assert len(crm.tasks()) == 1  # failed stays failed until a person retries


class TestOptOutChoice:
    def test_falls_back_to_the_enroller_when_the_last_task_rep_cannot_write(self, crm):
        crm.control.add_field(crm.org.org_id, "Contact", "SMS_Opt_Out__c", "boolean")
        OptOutField.objects.create(workspace=crm.workspace, sobject="Contact", target_field="SMS_Opt_Out__c")
        prospect = {"email": "sam@example.org", "first_name": "Sam", "last_name": "Seq"}
        enrolled = {"type": "enrollment", "event": "enrolled", "user": crm.rep.email, "prospect": prospect,
                    "occurred_at": "2026-05-01T09:00:00Z", "sequence": {"name": "Outbound", "step": "1"}}  # fmt: skip
        crm.ingest([enrolled])
        crm.ingest([activity_event(1, rep=crm.rep2, prospect=prospect)])
        Connection.objects.filter(pk=crm.rep2_connection.pk).update(status="reconnect_required")
        crm.ingest([{"type": "opt_out", "channel": "sms", "prospect": prospect}])
        (contact,) = [c for c in crm.records("Contact") if c.get("Email") == "sam@example.org"]
        assert contact["SMS_Opt_Out__c"] is True
        assert contact["LastModifiedById"] == crm.rep_connection.remote_user_id
        job = WritebackJob.objects.get(action=JobAction.OPTOUT_WRITE)
        assert job.status == JobStatus.SUCCEEDED and job.connection == crm.rep_connection
