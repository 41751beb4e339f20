"""Sequence fields on the Contact/Lead and SMS opt-outs, against the sandbox."""

from __future__ import annotations

import pytest

from activities.models import JobAction, JobStatus, WritebackAttempt, WritebackJob
from mappings.models import OptOutField, SequenceFieldMapping
from tests.activities.conftest import activity_event

pytestmark = pytest.mark.django_db
PROSPECT = {"email": "sam@example.org", "first_name": "Sam", "last_name": "Seq", "company": {"name": "Seq Co"}}


def enrollment(event: str, sequence: str, step: str, at: str, rep) -> dict:
    return {"type": "enrollment", "event": event, "user": rep.email, "prospect": PROSPECT, "occurred_at": at,
            "sequence": {"name": sequence, "step": step, "status": "Active"}}  # fmt: skip


@pytest.fixture
def sequence_fields(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [
        {"name": "SB_Sequence__c", "type": "string"},
        {"name": "SB_Step__c", "type": "string"},
        {"name": "SB_Active__c", "type": "boolean"},
    ])  # fmt: skip
    for purpose, field in (("name", "SB_Sequence__c"), ("step", "SB_Step__c"), ("active", "SB_Active__c")):
        SequenceFieldMapping.objects.create(workspace=crm.workspace, sobject="Contact", purpose=purpose,
                                            target_field=field)  # fmt: skip
    return crm


def contact(crm) -> dict:
    (row,) = [c for c in crm.records("Contact") if c.get("Email") == "sam@example.org"]
    return row


class TestSequenceFields:
    def test_enroll_step_second_sequence_remove_finish(self, sequence_fields):
        crm = sequence_fields
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        row = contact(crm)
        assert (row["SB_Sequence__c"], row["SB_Step__c"], row["SB_Active__c"]) == ("Outbound A", "Step 1", True)
        assert row["CreatedById"] == crm.rep_connection.remote_user_id  # created by the sequencing rep

        crm.ingest([enrollment("step_changed", "Outbound A", "Step 2", "2026-05-02T09:00:00Z", crm.rep)])
        assert contact(crm)["SB_Step__c"] == "Step 2"

        crm.ingest([enrollment("enrolled", "Event B", "Intro", "2026-05-03T09:00:00Z", crm.rep2)])
        assert contact(crm)["SB_Sequence__c"] == "Event B"  # the most recent wins

        crm.ingest([enrollment("removed", "Event B", "Intro", "2026-05-04T09:00:00Z", crm.rep2)])
        row = contact(crm)
        assert (row["SB_Sequence__c"], row["SB_Step__c"]) == ("Outbound A", "Step 2")

        crm.ingest([enrollment("finished", "Outbound A", "Step 2", "2026-05-05T09:00:00Z", crm.rep)])
        row = contact(crm)
        assert not row.get("SB_Sequence__c") and not row.get("SB_Step__c") and row["SB_Active__c"] is False
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
        assert len(crm.records("Contact")) == 1

    def test_on_a_lead(self, crm):
        from mappings.models import CrmSettings

        CrmSettings.objects.create(workspace=crm.workspace, new_prospect_as="lead")
        crm.control.add_field(crm.org.org_id, "Lead", "SB_Sequence__c", "string")
        SequenceFieldMapping.objects.create(workspace=crm.workspace, sobject="Lead", purpose="name",
                                            target_field="SB_Sequence__c")  # fmt: skip
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        (lead,) = crm.records("Lead")
        assert lead["SB_Sequence__c"] == "Outbound A" and lead["CreatedById"] == crm.rep_connection.remote_user_id
        crm.ingest([enrollment("removed", "Outbound A", "Step 1", "2026-05-02T09:00:00Z", crm.rep)])
        (lead,) = crm.records("Lead")
        assert not lead.get("SB_Sequence__c") and crm.records("Contact") == []

    def test_without_mapping_the_job_is_skipped_with_reason(self, crm):
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        job = WritebackJob.objects.get(action=JobAction.SEQUENCE_UPDATE)
        assert job.status == JobStatus.SKIPPED and "No sequence fields" in job.last_error_message


@pytest.fixture
def opt_out_field(crm):
    crm.control.add_field(crm.org.org_id, "Contact", "SMS_Opt_Out__c", "boolean")
    OptOutField.objects.create(workspace=crm.workspace, sobject="Contact", target_field="SMS_Opt_Out__c")
    return crm


def opt_out() -> dict:
    return {"type": "opt_out", "channel": "sms", "prospect": PROSPECT}


class TestOptOut:
    def test_written_as_rep_who_last_had_a_task(self, opt_out_field):
        crm = opt_out_field
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        crm.ingest([activity_event(1, rep=crm.rep2, prospect=PROSPECT)])
        crm.ingest([opt_out()])
        row = contact(crm)
        assert row["SMS_Opt_Out__c"] is True
        assert row["LastModifiedById"] == crm.rep2_connection.remote_user_id
        job = WritebackJob.objects.get(action=JobAction.OPTOUT_WRITE)
        assert job.status == JobStatus.SUCCEEDED and job.connection == crm.rep2_connection

    def test_falls_back_to_enrolling_rep(self, opt_out_field):
        crm = opt_out_field
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        crm.ingest([opt_out()])
        assert contact(crm)["SMS_Opt_Out__c"] is True
        assert WritebackJob.objects.get(action=JobAction.OPTOUT_WRITE).connection == crm.rep_connection

    def test_skipped_with_reasons_when_nobody_can_edit(self, opt_out_field):
        crm = opt_out_field
        crm.ingest([enrollment("enrolled", "Outbound A", "Step 1", "2026-05-01T09:00:00Z", crm.rep)])
        crm.ingest([activity_event(1, rep=crm.rep2, prospect=PROSPECT)])
        crm.control.set_permissions(crm.org.org_id, "Standard User", fields={"Contact.SMS_Opt_Out__c": "read"})
        crm.ingest([opt_out()])
        job = WritebackJob.objects.get(action=JobAction.OPTOUT_WRITE)
        assert job.status == JobStatus.SKIPPED, job.last_error_message
        assert crm.rep.email in job.last_error_message and crm.rep2.email in job.last_error_message
        assert WritebackAttempt.objects.filter(job=job, outcome="skipped").exists()
        assert not contact(crm).get("SMS_Opt_Out__c")
