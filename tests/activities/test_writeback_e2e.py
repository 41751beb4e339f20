"""End to end against the sandbox: events in, Tasks and prospects in the org, ledger rows settled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, JobAction, JobStatus, Prospect, WritebackAttempt, WritebackJob
from mappings.models import CrmSettings, TaskFieldMapping
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db


def later(hours: float = 3):
    return timezone.now() + timedelta(hours=hours)


def statuses() -> set[str]:
    return set(WritebackJob.objects.values_list("status", flat=True))


def subtype_mapping(crm, kind: str = "call", subtype: str = "Call") -> None:
    TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind=kind, target_field="TaskSubtype",
                                    source="constant", value=subtype)  # fmt: skip


class TestTaskWriteback:
    def test_new_prospect_is_created_as_contact_and_task_written_as_rep(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep)])

        contacts = [c for c in crm.records("Contact") if c.get("Email") == "prospect1@example.org"]
        assert len(contacts) == 1
        rep_sf_id = crm.rep_connection.remote_user_id
        assert contacts[0]["CreatedById"] == rep_sf_id
        accounts = [a for a in crm.records("Account") if a["Name"] == "Company 1"]
        assert len(accounts) == 1 and contacts[0]["AccountId"] == accounts[0]["Id"]
        tasks = crm.tasks()
        assert len(tasks) == 1
        assert tasks[0]["WhoId"] == contacts[0]["Id"]
        assert tasks[0]["WhatId"] == accounts[0]["Id"]
        assert tasks[0]["OwnerId"] == rep_sf_id
        assert tasks[0]["CreatedById"] == rep_sf_id
        assert tasks[0]["Status"] == "Completed"
        activity = Activity.objects.get()
        assert activity.salesforce_task_id == tasks[0]["Id"]
        assert activity.written_at is not None
        assert statuses() == {JobStatus.SUCCEEDED}
        attempt = WritebackAttempt.objects.filter(job__activity=activity).get()
        assert attempt.outcome == "succeeded" and "composite" in attempt.request
        assert Prospect.objects.get().matched_by == "created"

    def test_matches_contact_by_email_name_and_company_linkedin_then_lead_by_email(self, crm):
        org = crm.org.org_id
        crm.control.add_field(org, "Contact", "LinkedIn_URL__c", "url")
        CrmSettings.objects.create(workspace=crm.workspace, linkedin_url_field_contact="LinkedIn_URL__c")
        (acme,) = crm.control.load_records(org, "Account", [{"Name": "Acme"}])
        by_email, by_name, by_url = crm.control.load_records(org, "Contact", [
            {"LastName": "Email", "FirstName": "Erin", "Email": "erin@example.org"},
            {"LastName": "Named", "FirstName": "Nora", "AccountId": acme},  # a name matches only with the company
            {"LastName": "Linked", "FirstName": "Lee", "LinkedIn_URL__c": "https://www.linkedin.com/in/lee"},
        ])  # fmt: skip
        (lead,) = crm.control.load_records(org, "Lead", [{"LastName": "Lead", "Company": "L", "Email": "lou@x.org"}])
        events = [
            activity_event(1, rep=crm.rep, prospect={"email": "ERIN@example.org", "first_name": "E", "last_name": "X"}),
            activity_event(2, rep=crm.rep, prospect={"email": "nora@new.org", "first_name": "Nora",
                                                     "last_name": "Named", "company": {"name": "Acme"}}),
            activity_event(3, rep=crm.rep, prospect={"email": "lee@new.org", "first_name": "L", "last_name": "Z",
                                                     "linkedin_url": "https://linkedin.com/in/lee/"}),
            activity_event(4, rep=crm.rep, prospect={"email": "lou@x.org", "first_name": "Lou", "last_name": "Q"}),
        ]  # fmt: skip
        crm.ingest(events)

        assert len(crm.records("Contact")) == 3 and len(crm.records("Lead")) == 1
        who = {t["Subject"]: t["WhoId"] for t in crm.tasks()}
        assert who == {
            "Call: Touch 1": by_email,
            "Call: Touch 2": by_name,
            "Call: Touch 3": by_url,
            "Call: Touch 4": lead,
        }
        matched = dict(Prospect.objects.values_list("email", "matched_by"))
        assert matched == {
            "erin@example.org": "contact_email",
            "nora@new.org": "contact_name_company",
            "lee@new.org": "contact_linkedin",
            "lou@x.org": "lead_email",
        }

    def test_new_prospects_become_leads_when_set(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, new_prospect_as="lead")
        crm.ingest([activity_event(1, rep=crm.rep)])
        (lead,) = crm.records("Lead")
        assert lead["Email"] == "prospect1@example.org" and lead["Company"] == "Company 1"
        assert crm.records("Contact") == [] and crm.records("Opportunity") == []
        (task,) = crm.tasks()
        assert task["WhoId"] == lead["Id"] and not task.get("WhatId")

    def test_batch_from_two_reps_is_written_in_few_calls(self, crm):
        crm.control.clear_requests()
        events = [activity_event(n, rep=crm.rep, email=f"p{n % 5}@example.org") for n in range(20)]
        events += [activity_event(100 + n, rep=crm.rep2, email=f"q{n % 5}@example.org") for n in range(10)]
        crm.ingest(events)

        tasks = crm.tasks()
        assert len(tasks) == 30
        owners = {t["OwnerId"] for t in tasks}
        assert owners == {crm.rep_connection.remote_user_id, crm.rep2_connection.remote_user_id}
        assert len(crm.records("Contact")) == 10
        calls = [r for r in crm.control.requests(org=crm.org.org_id) if "/describe" not in r["path"]]
        assert len(calls) <= 4, [r["path"] for r in calls]  # per rep: one lookup, one write
        assert statuses() == {JobStatus.SUCCEEDED}

    def test_external_id_on_task_makes_replays_upserts(self, crm):
        crm.control.add_field(crm.org.org_id, "Task", "sb_activityid__c", "string", external_id=True, unique=True)
        subtype_mapping(crm)  # create-only: a replay must not send it to the Task it finds
        crm.ingest([activity_event(1, rep=crm.rep)])
        (task,) = crm.tasks()
        activity = Activity.objects.get()
        assert task["sb_activityid__c"] == f"{crm.workspace.pk}-{activity.pk}"
        # Replay as if the worker had died after the write: no second Task.
        Activity.objects.update(salesforce_task_id="")
        WritebackJob.objects.filter(action=JobAction.TASK_CREATE).update(
            status=JobStatus.RUNNING, lease_until=timezone.now() - timedelta(minutes=1)
        )
        crm.drain()
        assert len(crm.tasks()) == 1
        assert Activity.objects.get().salesforce_task_id == task["Id"]
        assert statuses() == {JobStatus.SUCCEEDED}

    def test_replay_without_external_id_looks_the_task_up_first(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep)])
        (task,) = crm.tasks()
        Activity.objects.update(salesforce_task_id="")
        WritebackJob.objects.filter(action=JobAction.TASK_CREATE).update(
            status=JobStatus.RUNNING, lease_until=timezone.now() - timedelta(minutes=1)
        )
        crm.drain()
        assert [t["Id"] for t in crm.tasks()] == [task["Id"]]
        assert Activity.objects.get().salesforce_task_id == task["Id"]

    def test_log_all_creates_open_task_then_completes_it(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, log_mode="all")
        crm.ingest([activity_event(1, rep=crm.rep, state="open")])
        (task,) = crm.tasks()
        assert task["Status"] != "Completed"
        crm.ingest([activity_event(1, rep=crm.rep, state="completed", completed_at="2026-05-01T10:05:00Z")])
        (task,) = crm.tasks()
        assert task["Status"] == "Completed"
        assert statuses() == {JobStatus.SUCCEEDED}
        assert WritebackJob.objects.filter(action=JobAction.TASK_COMPLETE).count() == 1

    @pytest.mark.parametrize("external_id", [False, True], ids=["marker", "external-id"])
    def test_completing_an_open_task_leaves_create_only_fields_out(self, crm, external_id):
        # The stock call mapping sets TaskSubtype, which Salesforce takes on create only: sending it in the PATCH
        # that completes the Task fails the whole update with INVALID_FIELD_FOR_INSERT_UPDATE.
        if external_id:
            crm.control.add_field(crm.org.org_id, "Task", "sb_activityid__c", "string", external_id=True, unique=True)
        subtype_mapping(crm)
        CrmSettings.objects.create(workspace=crm.workspace, log_mode="all")
        crm.ingest([activity_event(1, rep=crm.rep, state="open")])
        (task,) = crm.tasks()
        assert task["Status"] != "Completed" and task["TaskSubtype"] == "Call"
        crm.ingest([activity_event(1, rep=crm.rep, state="completed", completed_at="2026-05-01T10:05:00Z")])

        complete = WritebackJob.objects.get(action=JobAction.TASK_COMPLETE)
        assert complete.status == JobStatus.SUCCEEDED, (complete.last_error_code, complete.last_error_message)
        (done,) = crm.tasks()
        assert done["Id"] == task["Id"]
        assert (done["Status"], done["TaskSubtype"], done["LastModifiedById"]) == (
            "Completed",
            "Call",
            crm.rep_connection.remote_user_id,
        )
        assert statuses() == {JobStatus.SUCCEEDED}

    def test_open_task_deleted_in_salesforce_fails_then_retry_writes_a_new_one(self, crm):
        from activities.services.ledger import jobs_retry

        CrmSettings.objects.create(workspace=crm.workspace, log_mode="all")
        crm.ingest([activity_event(1, rep=crm.rep, state="open")])
        (task,) = crm.tasks()
        contact_id = Prospect.objects.get().salesforce_id
        crm.org.simple_salesforce().Task.delete(task["Id"])
        crm.ingest([activity_event(1, rep=crm.rep, state="completed")])
        job = WritebackJob.objects.get(action=JobAction.TASK_COMPLETE)
        assert job.status == JobStatus.FAILED and job.attempts == 1
        assert "The Task no longer exists" in job.last_error_message
        assert Prospect.objects.get().salesforce_id == contact_id  # the prospect is fine: keep it
        with crm.capture(execute=True):
            jobs_retry(jobs=[job])
        (new,) = crm.tasks()
        assert new["Id"] != task["Id"] and new["Status"] == "Completed" and new["WhoId"] == contact_id
        assert Activity.objects.get().salesforce_task_id == new["Id"]
        assert statuses() == {JobStatus.SUCCEEDED}

    def test_completed_only_ignores_open_activities_until_they_end(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep, state="open")])
        assert crm.tasks() == [] and not WritebackJob.objects.exists()
        crm.ingest([activity_event(1, rep=crm.rep, state="completed")])
        assert len(crm.tasks()) == 1

    def test_duplicate_event_does_not_write_twice(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep)])
        crm.ingest([activity_event(1, rep=crm.rep)])
        assert len(crm.tasks()) == 1
        assert WritebackJob.objects.filter(action=JobAction.TASK_CREATE).count() == 1

    def test_jobs_of_a_rep_without_connection_wait_and_resume_after_connect(self, crm, salesforce_connect):
        from tests.factories import MembershipFactory

        newbie = MembershipFactory(workspace=crm.workspace).user
        crm.ingest([activity_event(1, rep=newbie)])
        assert statuses() == {JobStatus.WAITING_RECONNECT}
        sf_rep = [u for u in crm.org.users if u.role == "rep"][0]
        with crm.capture(execute=True):  # connecting wakes their jobs: no sweep needed
            salesforce_connect(crm.workspace, newbie, crm.org, sandbox_user=sf_rep)
        assert len(crm.tasks()) == 1 and statuses() == {JobStatus.SUCCEEDED}


class TestDependentJobsGoWhenTheBlockerSettles:
    PROSPECT = {"email": "new@example.org", "first_name": "Nia", "last_name": "New", "company": {"name": "New Co"}}

    def enrollment(self, rep) -> dict:
        return {"type": "enrollment", "event": "enrolled", "user": rep.email, "prospect": self.PROSPECT,
                "occurred_at": "2026-05-01T09:00:00Z", "sequence": {"name": "Outbound", "step": "1"}}  # fmt: skip

    def test_a_task_waiting_on_another_reps_creation_is_written_without_the_sweep(self, crm, monkeypatch):
        from activities import tasks
        from activities.services.writeback import drain

        def no_sweep(**kwargs):
            raise AssertionError("the sweep must not be needed")

        monkeypatch.setattr(drain, "writeback_drain_due", no_sweep)
        monkeypatch.setattr(tasks, "_drain", no_sweep)
        # rep2 enrolls (so rep2 creates the Contact); rep logs a call on the same new prospect in the same batch.
        # The rep's run is woken first (workers are woken in user order) and finds its Task blocked.
        assert crm.rep.pk < crm.rep2.pk
        crm.ingest([self.enrollment(crm.rep2), activity_event(1, rep=crm.rep, prospect=self.PROSPECT)])

        (contact,) = crm.records("Contact")
        assert contact["CreatedById"] == crm.rep2_connection.remote_user_id
        (task,) = crm.tasks()
        assert task["WhoId"] == contact["Id"]
        assert task["CreatedById"] == task["OwnerId"] == crm.rep_connection.remote_user_id
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1 and job.connection == crm.rep_connection
        assert statuses() == {JobStatus.SUCCEEDED, JobStatus.SKIPPED}  # no sequence fields mapped: skipped
