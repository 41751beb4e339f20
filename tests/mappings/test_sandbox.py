"""End to end against the sandbox org, through a real admin connection: describes, FLS, restricted picklists,
and the payload the settings produce being accepted by Salesforce."""

import pytest

from integrations.providers.salesforce.client import SalesforceClient
from integrations.services.metadata import describe_get
from mappings.models import TaskFieldMapping
from mappings.payloads import ActivityData, task_payload_build
from mappings.samples import SAMPLE_TIME
from tests.mappings.conftest import crm_url, formset_data, task_rows
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db

TASK_FIELDS = [
    {"name": "sb_sequencename__c", "type": "string", "length": 80},
    {"name": "sb_sequencestepname__c", "type": "string", "length": 80},
    {"name": "sb_recordingurl__c", "type": "url"},
    {"name": "sb_callresult__c", "type": "string", "length": 255},
    {"name": "sb_numberdialed__c", "type": "phone"},
    {"name": "sb_outcome__c", "type": "picklist", "values": ["Booked", "Not now"], "restricted": True},
]
ADMIN_PROFILE = "System Administrator"


@pytest.fixture
def org_with_fields(sandbox, sandbox_org):
    sandbox.control.add_fields(sandbox_org.org_id, "Task", TASK_FIELDS)
    return sandbox_org


@pytest.fixture
def admin_client(salesforce_connection):
    return logged_in_client(salesforce_connection.connected_by)


def saved(ws):
    return {m.target_field: m.value for m in TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call")}


def test_stock_defaults_come_from_the_orgs_describe(org_with_fields, salesforce_connection, admin_client):
    ws = salesforce_connection.workspace
    response = admin_client.get(crm_url(ws, "tasks/call/"))
    assert response.status_code == 200
    assert response.context["page"].editable
    assert saved(ws) == {
        "Type": "Call",
        "TaskSubtype": "Call",
        "Subject": "subject",
        "Description": "notes",
        "sb_recordingurl__c": "recording_url",
        "sb_numberdialed__c": "number_dialed",
        "sb_callresult__c": "disposition",
        "CallDurationInSeconds": "duration_seconds",
        "sb_sequencename__c": "sequence_name",
        "sb_sequencestepname__c": "step_name",
    }


def test_field_hidden_by_field_level_security_is_neither_offered_nor_accepted(
    sandbox, org_with_fields, salesforce_connection, admin_client
):
    sandbox.control.set_permissions(org_with_fields.org_id, ADMIN_PROFILE, fields={"Task.sb_recordingurl__c": "hidden"})
    ws = salesforce_connection.workspace
    response = admin_client.get(crm_url(ws, "tasks/call/"))
    offered = [name for name, _ in response.context["formset"].forms[0].fields["target_field"].widget.choices]
    assert "sb_recordingurl__c" not in offered
    assert "sb_numberdialed__c" in offered
    assert "sb_recordingurl__c" not in saved(ws)  # no stock default onto a hidden field
    rows = task_rows(ws, "call")
    rows.append({"target_field": "sb_recordingurl__c", "source": "variable", "variable": "recording_url"})
    response = admin_client.post(crm_url(ws, "tasks/call/"), formset_data("task-call", rows, initial=len(rows) - 1))
    assert response.status_code == 400
    assert "hidden from the connected user" in response.context["formset"].forms[-1].errors["target_field"][0]


def test_field_hidden_after_mapping_is_flagged_as_drift(sandbox, org_with_fields, salesforce_connection, admin_client):
    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "tasks/call/"))
    assert "sb_recordingurl__c" in saved(ws)
    sandbox.control.set_permissions(org_with_fields.org_id, ADMIN_PROFILE, fields={"Task.sb_recordingurl__c": "hidden"})
    admin_client.post(crm_url(ws, "metadata/refresh/"))
    html = admin_client.get(crm_url(ws, "tasks/call/")).content.decode()
    assert 'data-testid="drift-warning"' in html
    assert "sb_recordingurl__c (not available in Salesforce)" in html


def test_restricted_picklists_accept_only_their_values(org_with_fields, salesforce_connection, admin_client):
    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "tasks/call/"))
    base = task_rows(ws, "call")
    url = crm_url(ws, "tasks/call/")
    for target, bad, good in (("CallType", "Sideways", "Outbound"), ("sb_outcome__c", "Maybe", "Booked")):
        rows = [*base, {"target_field": target, "source": "constant", "constant": bad}]
        response = admin_client.post(url, formset_data("task-call", rows, initial=len(base)))
        assert response.status_code == 400
        assert (
            "not an active value of this restricted picklist"
            in response.context["formset"].forms[-1].errors["constant"][0]
        )
        rows[-1]["constant"] = good
        assert admin_client.post(url, formset_data("task-call", rows, initial=len(base))).status_code == 302
        base = task_rows(ws, "call")
    assert saved(ws)["CallType"] == "Outbound"
    assert saved(ws)["sb_outcome__c"] == "Booked"


def test_the_built_payload_is_accepted_by_salesforce(org_with_fields, salesforce_connection, admin_client):
    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "tasks/call/"))
    describe = describe_get(connection=salesforce_connection, sobject="Task").payload
    activity = ActivityData(
        kind="call",
        subject="Call with Ada",
        notes="Wants pricing",
        recording_url="https://rec.example/1",
        number_dialed="+1 415 555 0100",
        disposition="Connected",
        duration_seconds=312,
        sequence_name="Q2 Outbound " * 10,  # longer than the field: cut to its length
        step_name="Step 3",
        occurred_at=SAMPLE_TIME,
    )
    payload = task_payload_build(workspace=ws, activity=activity, task_describe=describe)
    assert len(payload.fields["sb_sequencename__c"]) == 80
    client = SalesforceClient(salesforce_connection)
    created = client.create("Task", payload.fields)
    record = client.get("Task", created["id"])
    assert record["Status"] == "Completed"
    assert record["IsClosed"] is True
    assert record["Type"] == "Call"
    assert record["CallDurationInSeconds"] == 312
    assert record["sb_recordingurl__c"] == "https://rec.example/1"
    assert record["ActivityDate"] == "2025-03-14"


def test_log_all_open_task_then_completed_by_update(org_with_fields, salesforce_connection, admin_client):
    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "tasks/call/"))
    describe = describe_get(connection=salesforce_connection, sobject="Task").payload
    started = ActivityData(kind="call", state="open", subject="Call with Ada", occurred_at=SAMPLE_TIME)
    opened = task_payload_build(workspace=ws, activity=started, task_describe=describe)
    assert opened.fields["Status"] == "Not Started"
    client = SalesforceClient(salesforce_connection)
    task_id = client.create("Task", opened.fields)["id"]
    assert client.get("Task", task_id)["IsClosed"] is False

    ended = ActivityData(kind="call", subject="Call with Ada", disposition="Connected", occurred_at=SAMPLE_TIME)
    update = task_payload_build(workspace=ws, activity=ended, task_describe=describe, for_update=True)
    assert "TaskSubtype" not in update.fields  # createable, not updateable
    assert update.warnings == []
    client.update("Task", task_id, update.fields)
    record = client.get("Task", task_id)
    assert record["IsClosed"] is True
    assert record["sb_callresult__c"] == "Connected"
