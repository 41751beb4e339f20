from datetime import UTC, datetime

import pytest

from mappings.models import CreationDefault, CrmSettings, SequenceFieldMapping, TaskFieldMapping
from mappings.payloads import (
    ActivityData,
    CompanyData,
    EnrollmentData,
    ProspectData,
    creation_payload_build,
    sequence_fields_build,
    task_payload_build,
    task_status_closed,
    task_status_open,
)
from mappings.types import ActivityKind, ValueSource
from tests.factories import WorkspaceFactory
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe

pytestmark = pytest.mark.django_db

C, V = ValueSource.CONSTANT, ValueSource.VARIABLE
WHEN = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)


def call(**kw):
    base = {
        "kind": ActivityKind.CALL,
        "subject": "Call with Ada",
        "notes": "Wants pricing",
        "recording_url": "https://rec.example/1",
        "number_dialed": "+1 415 555 0100",
        "disposition": "Connected",
        "duration_seconds": 312,
        "sequence_name": "Q2 Outbound",
        "step_name": "Step 3",
        "occurred_at": WHEN,
    }
    return ActivityData(**{**base, **kw})


def add(workspace, kind, *rows):
    for i, (target, source, value) in enumerate(rows):
        TaskFieldMapping.objects.create(
            workspace=workspace, activity_kind=kind, target_field=target, source=source, value=value, position=i
        )


def test_call_payload_from_saved_mappings_with_types_and_status():
    ws = WorkspaceFactory()
    add(
        ws,
        ActivityKind.CALL,
        ("Type", C, "Call"),
        ("TaskSubtype", C, "Call"),
        ("Subject", V, "subject"),
        ("CallDurationInSeconds", V, "duration_seconds"),
        ("sb_recordingurl__c", V, "recording_url"),
        ("sb_numberdialed__c", V, "number_dialed"),
        ("sb_callresult__c", V, "disposition"),
        ("IsReminderSet", C, "false"),
    )
    result = task_payload_build(workspace=ws, activity=call(), task_describe=task_describe(sb_fields=True))
    assert result.fields == {
        "Type": "Call",
        "TaskSubtype": "Call",
        "Subject": "Call with Ada",
        "CallDurationInSeconds": 312,
        "sb_recordingurl__c": "https://rec.example/1",
        "sb_numberdialed__c": "+1 415 555 0100",
        "sb_callresult__c": "Connected",
        "IsReminderSet": False,
        "Status": "Completed",
        "ActivityDate": "2025-03-14",
    }
    assert result.warnings == []


def test_other_kinds_use_their_own_rows_only():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("Type", C, "Call"))
    add(ws, ActivityKind.SMS, ("Type", C, "SMS"))
    result = task_payload_build(
        workspace=ws, activity=ActivityData(kind=ActivityKind.SMS, occurred_at=WHEN), task_describe=task_describe()
    )
    assert result.fields["Type"] == "SMS"


def test_open_activity_gets_the_default_open_status():
    ws = WorkspaceFactory()
    result = task_payload_build(workspace=ws, activity=call(state="open"), task_describe=task_describe())
    assert result.fields["Status"] == "Not Started"


def test_closed_status_comes_from_the_org_picklist():
    status = sf_field("Status", "picklist", values=("Open", "Done - Completed"), default_value="Open")
    custom = task_describe(hidden=("Status",), extra=(status,))
    assert task_status_closed(custom) == "Done - Completed"
    assert task_status_open(custom) == "Open"
    assert task_status_closed(None) == "Completed"
    assert task_status_open(None) == "Not Started"


def test_strings_are_truncated_to_describe_length_with_a_warning():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("sb_sequencename__c", V, "sequence_name"))
    result = task_payload_build(
        workspace=ws, activity=call(sequence_name="x" * 100), task_describe=task_describe(sb_fields=True)
    )
    assert result.fields["sb_sequencename__c"] == "x" * 80
    assert any("cut to 80" in w for w in result.warnings)


def test_schema_drift_skips_the_mapping_with_a_warning():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("sb_recordingurl__c", V, "recording_url"), ("Subject", V, "subject"))
    result = task_payload_build(workspace=ws, activity=call(), task_describe=task_describe())
    assert "sb_recordingurl__c" not in result.fields
    assert result.fields["Subject"] == "Call with Ada"
    assert any(w.startswith("sb_recordingurl__c skipped") for w in result.warnings)


def test_empty_variables_are_left_out_and_reserved_fields_are_never_mapped():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("Description", V, "notes"), ("OwnerId", C, "005000000000001"))
    result = task_payload_build(workspace=ws, activity=call(notes=""), task_describe=task_describe())
    assert "Description" not in result.fields
    assert "OwnerId" not in result.fields
    assert any("OwnerId skipped" in w for w in result.warnings)


def test_restricted_picklist_value_no_longer_active_is_skipped():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("CallType", C, "Outbound"))
    describe = task_describe(hidden=("CallType",), extra=(
        sf_field("CallType", "picklist", restrictedPicklist=True, values=("Inbound", ("Outbound", False))),
    ))  # fmt: skip
    result = task_payload_build(workspace=ws, activity=call(), task_describe=describe)
    assert "CallType" not in result.fields
    assert any("not an active value" in w for w in result.warnings)


def test_unsaved_mappings_can_be_previewed():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("Type", C, "Call"))
    draft = [TaskFieldMapping(target_field="Type", source=C, value="Meeting")]
    result = task_payload_build(workspace=ws, activity=call(), task_describe=task_describe(), mappings=draft)
    assert result.fields["Type"] == "Meeting"


def test_without_describe_values_pass_through():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("Subject", V, "subject"))
    result = task_payload_build(workspace=ws, activity=call(), task_describe=None)
    assert result.fields == {"Subject": "Call with Ada", "Status": "Completed", "ActivityDate": "2025-03-14"}


def contact_describe():
    return shared_describe("Contact", extra=sb_prospect_fields())


def test_sequence_fields_set_and_cleared():
    ws = WorkspaceFactory()
    for purpose, field in (
        ("active", "sb_activeinsequence__c"),
        ("name", "sb_currentsequencename__c"),
        ("step", "sb_currentsequencestep__c"),
        ("status", "sb_currentsequencestatus__c"),
        ("sequenced_by", "sb_sequencedby__c"),
    ):
        SequenceFieldMapping.objects.create(workspace=ws, sobject="Contact", purpose=purpose, target_field=field)
    enrollment = EnrollmentData("Q2 Outbound", "Step 3", "Active", "005000000000001AAA")
    built = sequence_fields_build(workspace=ws, sobject="Contact", enrollment=enrollment, describe=contact_describe())
    assert built == {
        "sb_activeinsequence__c": True,
        "sb_currentsequencename__c": "Q2 Outbound",
        "sb_currentsequencestep__c": "Step 3",
        "sb_currentsequencestatus__c": "Active",
        "sb_sequencedby__c": "005000000000001AAA",
    }
    cleared = sequence_fields_build(workspace=ws, sobject="Contact", enrollment=None, describe=contact_describe())
    assert cleared == {
        "sb_activeinsequence__c": False,
        "sb_currentsequencename__c": None,
        "sb_currentsequencestep__c": None,
        "sb_currentsequencestatus__c": None,
        "sb_sequencedby__c": None,
    }
    assert sequence_fields_build(workspace=ws, sobject="Lead", enrollment=None, describe=contact_describe()) == {}


def test_sequence_fields_skip_fields_that_left_the_org():
    ws = WorkspaceFactory()
    SequenceFieldMapping.objects.create(workspace=ws, sobject="Contact", purpose="name", target_field="Gone__c")
    enrollment = EnrollmentData("Q2 Outbound")
    assert (
        sequence_fields_build(workspace=ws, sobject="Contact", enrollment=enrollment, describe=contact_describe()) == {}
    )
    assert sequence_fields_build(workspace=ws, sobject="Contact", enrollment=None, describe=contact_describe()) == {}


def prospect(**company):
    return ProspectData(
        email="ada@example.com",
        first_name="Ada",
        last_name="",
        linkedin_url="https://linkedin.com/in/ada",
        company=CompanyData(**{"name": "", "website": "https://ae.example", "employee_count": 240, **company}),
    )


def test_lead_creation_uses_fallbacks_email_and_linkedin_field():
    ws = WorkspaceFactory()
    CrmSettings.objects.create(workspace=ws, linkedin_url_field_lead="LinkedIn_URL__c")
    for i, (target, source, value, fallback) in enumerate((
        ("LastName", V, "prospect.last_name", "Unknown"),
        ("FirstName", V, "prospect.first_name", ""),
        ("Company", V, "company.name", "Unknown company"),
        ("LeadSource", C, "Other", ""),
        ("NumberOfEmployees", V, "company.employee_count", ""),
    )):  # fmt: skip
        CreationDefault.objects.create(
            workspace=ws, sobject="Lead", target_field=target, source=source, value=value, fallback=fallback, position=i
        )
    describe = shared_describe("Lead", extra=sb_prospect_fields())
    warnings = []
    built = creation_payload_build(
        workspace=ws, sobject="Lead", prospect=prospect(), describe=describe, warnings=warnings
    )
    assert built == {
        "Email": "ada@example.com",
        "LinkedIn_URL__c": "https://linkedin.com/in/ada",
        "LastName": "Unknown",
        "FirstName": "Ada",
        "Company": "Unknown company",
        "LeadSource": "Other",
        "NumberOfEmployees": 240,
    }
    assert warnings == []


def test_account_creation_from_company_data():
    ws = WorkspaceFactory()
    CreationDefault.objects.create(workspace=ws, sobject="Account", target_field="Name", source=V, value="company.name")
    CreationDefault.objects.create(
        workspace=ws, sobject="Account", target_field="Website", source=V, value="company.website", position=1
    )
    built = creation_payload_build(
        workspace=ws,
        sobject="Account",
        prospect=prospect(name="Analytical Engines"),
        describe=shared_describe("Account"),
    )
    assert built == {"Name": "Analytical Engines", "Website": "https://ae.example"}


def test_update_payload_leaves_out_create_only_fields_quietly():
    ws = WorkspaceFactory()
    add(ws, ActivityKind.CALL, ("TaskSubtype", C, "Call"), ("Subject", V, "subject"), ("Gone__c", C, "x"))
    result = task_payload_build(workspace=ws, activity=call(), task_describe=task_describe(), for_update=True)
    assert "TaskSubtype" not in result.fields
    assert result.fields["Subject"] == "Call with Ada"
    assert result.warnings == [
        "Gone__c skipped: This field no longer exists in Salesforce or is hidden from the connected user."
    ]
