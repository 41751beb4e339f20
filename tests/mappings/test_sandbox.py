"""End to end against the sandbox org, through a real admin connection: describes, FLS, restricted picklists,
and the payload the settings produce being accepted by Salesforce."""

import pytest

from integrations.providers.salesforce.client import SalesforceClient
from integrations.services.metadata import describe_get
from mappings.models import TaskFieldMapping
from mappings.payloads import ActivityData, task_payload_build
from mappings.samples import SAMPLE_TIME
from tests.mappings.conftest import crm_url, formset_data, section_context, task_rows
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
    offered = [name for name, _ in section_context(response)["formset"].forms[0].fields["target_field"].widget.choices]
    assert "sb_recordingurl__c" not in offered
    assert "sb_numberdialed__c" in offered
    assert "sb_recordingurl__c" not in saved(ws)  # no stock default onto a hidden field
    rows = task_rows(ws, "call")
    rows.append({"target_field": "sb_recordingurl__c", "source": "variable", "variable": "recording_url"})
    response = admin_client.post(crm_url(ws, "tasks/call/"), formset_data("task-call", rows, initial=len(rows) - 1))
    assert response.status_code == 400
    assert "hidden from the connected user" in section_context(response)["formset"].forms[-1].errors["target_field"][0]


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
            in section_context(response)["formset"].forms[-1].errors["constant"][0]
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


PROSPECT_FIELDS = [
    {"name": "sb_activeinsequence__c", "type": "boolean"},
    {"name": "sb_currentsequencename__c", "type": "string", "length": 80},
    {"name": "sb_smsoptout__c", "type": "boolean"},
    {"name": "sb_score__c", "type": "string", "length": 40},
]


@pytest.fixture
def org_with_prospect_fields(sandbox, org_with_fields):
    for sobject in ("Contact", "Lead"):
        sandbox.control.add_fields(org_with_fields.org_id, sobject, PROSPECT_FIELDS)
    sandbox.control.add_fields(org_with_fields.org_id, "Account", [{"name": "sb_tier__c", "type": "string"}])
    return org_with_fields


@pytest.fixture
def describe_outage(sandbox, sandbox_org):
    """Salesforce answers 503 SERVER_UNAVAILABLE to every describe of the test's org (the sandbox fault API)."""

    def start():
        sandbox.control.fault(path="/services/data/*/describe*", status=503, org=sandbox_org.org_id)

    yield start
    sandbox.control.clear_faults()


def outage_hits(sandbox) -> int:
    """How many describes the outage answered with 503."""
    return sum(f["hits"] for f in sandbox.control.faults())


def test_every_kinds_stock_task_is_accepted_by_salesforce(org_with_fields, salesforce_connection, admin_client):
    """The stock defaults work on a stock org: each kind's sample Task is created and reads back typed."""
    from mappings.samples import sample_activity
    from mappings.types import ActivityKind

    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "tasks/call/"))
    describe = describe_get(connection=salesforce_connection, sobject="Task").payload
    client = SalesforceClient(salesforce_connection)
    expected = {
        ActivityKind.CALL: ("Call", "Call"),
        ActivityKind.EMAIL_SENT: ("Email", "Email"),
        ActivityKind.EMAIL_RECEIVED: ("Email", "Email"),
        ActivityKind.LINKEDIN_MESSAGE: ("LinkedIn", "LinkedIn"),
        ActivityKind.LINKEDIN_CONNECTION: ("LinkedIn", "LinkedIn"),
        ActivityKind.SMS: ("SMS", None),
        ActivityKind.OTHER: ("Other", None),
    }
    for kind, (task_type, subtype) in expected.items():
        payload = task_payload_build(workspace=ws, activity=sample_activity(kind), task_describe=describe)
        assert payload.warnings == [], kind
        record = client.get("Task", client.create("Task", payload.fields)["id"])
        assert (record["Type"], record["TaskSubtype"]) == (task_type, subtype), kind
        assert record["sb_sequencename__c"] == "Q2 Outbound – Finance leaders"
        assert record["IsClosed"] is True


def test_stock_creation_defaults_make_records_salesforce_accepts(
    org_with_prospect_fields, salesforce_connection, admin_client
):
    from mappings.payloads import creation_payload_build
    from mappings.samples import sample_prospect

    ws = salesforce_connection.workspace
    admin_client.get(crm_url(ws, "account/defaults/"))
    client = SalesforceClient(salesforce_connection)
    created = {}
    for sobject in ("Account", "Contact", "Lead"):
        describe = describe_get(connection=salesforce_connection, sobject=sobject).payload
        warnings = []
        fields = creation_payload_build(
            workspace=ws, sobject=sobject, prospect=sample_prospect(), describe=describe, warnings=warnings
        )
        assert warnings == [], sobject
        created[sobject] = client.get(sobject, client.create(sobject, fields)["id"])
    account = created["Account"]
    assert (account["Name"], account["Website"], account["Industry"]) == (
        "Analytical Engines Ltd", "https://analytical.example", "Technology",
    )  # fmt: skip
    assert account["NumberOfEmployees"] == 240
    assert account["BillingCity"] == "London, United Kingdom"
    assert created["Lead"]["Company"] == "Analytical Engines Ltd"
    assert created["Contact"]["LastName"] == "Lovelace"


def test_salesforce_down_pages_use_the_cache_and_say_so(
    sandbox, org_with_fields, salesforce_connection, admin_client, describe_outage
):
    ws = salesforce_connection.workspace
    url = crm_url(ws, "tasks/call/")
    admin_client.get(url)  # describes cached, stock defaults written
    describe_outage()

    response = admin_client.post(crm_url(ws, "metadata/refresh/"), {"next": url}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert outage_hits(sandbox) == 1  # Salesforce asked once, answered 503; the other objects from the cache
    assert "Salesforce could not be reached" in html
    assert "showing cached metadata" in html
    assert 'data-testid="metadata-age"' in html
    assert response.context["page"].editable  # the cached describe still validates choices
    offered = [name for name, _ in section_context(response)["formset"].forms[0].fields["target_field"].widget.choices]
    assert "sb_recordingurl__c" in offered


def test_salesforce_down_without_cache_disables_choices_and_refuses_saves(
    sandbox, org_with_fields, salesforce_connection, admin_client, describe_outage
):
    from integrations.models import DescribeCache

    ws = salesforce_connection.workspace
    url = crm_url(ws, "tasks/call/")
    admin_client.get(url)
    rows = task_rows(ws, "call")
    DescribeCache.objects.filter(connection=salesforce_connection).delete()
    describe_outage()

    for path in (
        "tasks/call/",
        "contact/sequence/",
        "lead/defaults/",
        "contact/sms/",
        "contact/sync/",
        "advanced/",
        "history/",
    ):
        response = admin_client.get(crm_url(ws, path))
        html = response.content.decode()
        assert response.status_code == 200, path
        assert "no metadata is cached; choices are disabled" in html, path
    response = admin_client.get(url)
    assert not response.context["page"].editable
    assert all(f.disabled for form in section_context(response)["formset"].forms for f in form.fields.values())
    assert "Save mappings" not in response.content.decode()
    assert outage_hits(sandbox) >= 8

    rows[0]["constant"] = "Meeting"
    response = admin_client.post(url, formset_data("task-call", rows, initial=len(rows)), follow=True)
    assert "Nothing was saved: Salesforce field metadata is unavailable" in response.content.decode()
    assert saved(ws)["Type"] == "Call"


def test_fields_that_leave_the_org_are_flagged_on_every_page(
    sandbox, org_with_prospect_fields, salesforce_connection, admin_client
):
    """Schema drift, made in the org through the control API (FLS: the sandbox cannot delete a field), is shown
    beside each mapping after a metadata refresh instead of failing at write time."""
    from mappings.models import OptOutField, SyncFieldMapping

    ws = salesforce_connection.workspace
    org = org_with_prospect_fields.org_id
    admin_client.get(crm_url(ws, "contact/sequence/"))
    assert admin_client.post(crm_url(ws, "contact/sms/"), {"contact_field": "sb_smsoptout__c"}).status_code == 302
    lead_rows = [
        {"target_field": "LastName", "source": "variable", "variable": "prospect.last_name", "fallback": "Unknown"},
        {"target_field": "Company", "source": "variable", "variable": "company.name", "fallback": "Unknown"},
        {"target_field": "sb_score__c", "source": "constant", "constant": "A"},
    ]
    response = admin_client.post(crm_url(ws, "lead/defaults/"), formset_data("creation-lead", lead_rows, initial=0))
    assert response.status_code == 302
    data = formset_data("sync-account", [{"field_name": "sb_tier__c", "display_name": "Tier"}], initial=0)
    assert admin_client.post(crm_url(ws, "account/sync/"), data).status_code == 302
    assert OptOutField.objects.get(workspace=ws, sobject="Contact").target_field == "sb_smsoptout__c"

    sandbox.control.set_permissions(
        org,
        ADMIN_PROFILE,
        fields={
            "Contact.sb_currentsequencename__c": "hidden", "Contact.sb_smsoptout__c": "hidden",
            "Lead.sb_score__c": "hidden", "Account.sb_tier__c": "hidden",
        },
    )  # fmt: skip
    admin_client.post(crm_url(ws, "metadata/refresh/"))

    for path, gone in (
        ("contact/sequence/", "sb_currentsequencename__c"),
        ("contact/sms/", "sb_smsoptout__c"),
        ("lead/defaults/", "sb_score__c"),
        ("account/sync/", "sb_tier__c"),
    ):
        html = admin_client.get(crm_url(ws, path)).content.decode()
        assert 'data-testid="drift-flag"' in html, path
        assert gone in html, path
    assert SyncFieldMapping.objects.get(workspace=ws, field_name="sb_tier__c").status == "missing"
