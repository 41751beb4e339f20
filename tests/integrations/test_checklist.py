"""The setup checklist against sandbox orgs: fields present, missing, mistyped, hidden or read-only by FLS."""

import dataclasses

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.services.checklist import (
    INACTIVE,
    MISSING,
    NOT_EDITABLE,
    NOT_READABLE,
    OK,
    PROBLEM,
    WARN,
    WRONG_TYPE,
    checklist_run,
)
from mappings.models import CrmSettings, OptOutField, TaskFieldMapping
from mappings.selectors import task_type_values_needed
from mappings.types import ActivityKind, ValueSource
from tests.factories import MembershipFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role

pytestmark = pytest.mark.django_db

SEQUENCE_FIELDS = [
    {"name": "sb_activeinsequence__c", "type": "boolean"},
    {"name": "sb_currentsequencestatus__c", "type": "string", "length": 255},
    {"name": "sb_currentsequencename__c", "type": "string", "length": 255},
    {"name": "sb_currentsequencestep__c", "type": "string", "length": 255},
    {"name": "sb_sequencedby__c", "type": "reference", "reference_to": "User"},
]
TASK_FIELDS = [
    {"name": "sb_sequencename__c", "type": "string", "length": 255},
    {"name": "sb_sequencestepname__c", "type": "string", "length": 64},
    {"name": "sb_recordingurl__c", "type": "url"},
    {"name": "sb_callresult__c", "type": "string", "length": 255},
    {"name": "sb_numberdialed__c", "type": "phone"},
]


def add_recommended_fields(control, org, *, skip=(), replace=None):
    replace = replace or {}
    for sobject, fields in (("Lead", SEQUENCE_FIELDS), ("Contact", SEQUENCE_FIELDS), ("Task", TASK_FIELDS)):
        chosen = [replace.get(f"{sobject}.{f['name']}", f) for f in fields if f"{sobject}.{f['name']}" not in skip]
        control.add_fields(org.org_id, sobject, chosen)


def add_sms_opt_out(control, org, workspace):
    """Our SMS opt-out checkbox on Contact and Lead, chosen in CRM settings."""
    for sobject in ("Contact", "Lead"):
        control.add_fields(org.org_id, sobject, [{"name": "sb_sms_opt_out__c", "type": "boolean"}])
        OptOutField.objects.create(workspace=workspace, sobject=sobject, target_field="sb_sms_opt_out__c")


def items(checklist, section: str) -> dict:
    found = next(s for s in checklist.sections if s.title == section)
    return {item.label.split(" · ")[0]: item for item in found.items}


def test_every_recommended_field_present_is_ok(sandbox, sandbox_org, salesforce_connection):
    add_recommended_fields(sandbox.control, sandbox_org)
    add_sms_opt_out(sandbox.control, sandbox_org, salesforce_connection.workspace)

    checklist = checklist_run(admin=salesforce_connection)

    fields = items(checklist, "Recommended custom fields")
    assert len(fields) == 15
    assert {label: item.status for label, item in fields.items() if item.status != OK} == {}
    assert set(fields) >= {"Lead.sb_activeinsequence__c", "Contact.sb_sequencedby__c", "Task.sb_numberdialed__c"}
    assert all(item.status == OK for item in items(checklist, "Task Type values").values())
    assert all(item.status == OK for item in items(checklist, "Objects").values())
    assert checklist.problems == 0


def test_missing_fields_say_how_to_create_them(sandbox, sandbox_org, salesforce_connection):
    add_recommended_fields(
        sandbox.control, sandbox_org, skip={"Lead.sb_activeinsequence__c", "Task.sb_recordingurl__c"}
    )

    fields = items(checklist_run(admin=salesforce_connection), "Recommended custom fields")

    lead = fields["Lead.sb_activeinsequence__c"]
    assert lead.status == MISSING
    assert "Object Manager › Lead" in lead.fix and "Checkbox" in lead.fix and "sb_activeinsequence" in lead.fix
    task = fields["Task.sb_recordingurl__c"]
    assert task.status == MISSING and "Object Manager › Activity" in task.fix and "URL" in task.fix
    assert fields["Contact.sb_activeinsequence__c"].status == OK


def test_wrong_types_are_named(sandbox, sandbox_org, salesforce_connection):
    add_recommended_fields(
        sandbox.control,
        sandbox_org,
        replace={
            "Task.sb_numberdialed__c": {"name": "sb_numberdialed__c", "type": "string", "length": 40},
            "Task.sb_sequencestepname__c": {"name": "sb_sequencestepname__c", "type": "string", "length": 20},
            "Contact.sb_sequencedby__c": {"name": "sb_sequencedby__c", "type": "reference", "reference_to": "Account"},
        },
    )

    fields = items(checklist_run(admin=salesforce_connection), "Recommended custom fields")

    assert fields["Task.sb_numberdialed__c"].status == WRONG_TYPE
    assert "needs Phone" in fields["Task.sb_numberdialed__c"].detail
    assert fields["Task.sb_sequencestepname__c"].status == WRONG_TYPE
    assert "Text(20)" in fields["Task.sb_sequencestepname__c"].detail
    assert fields["Contact.sb_sequencedby__c"].status == WRONG_TYPE
    assert "Account" in fields["Contact.sb_sequencedby__c"].detail
    assert fields["Lead.sb_sequencedby__c"].status == OK


def test_fields_hidden_or_read_only_for_a_rep_are_reported_with_their_name(
    sandbox, sandbox_org, salesforce_connection, salesforce_connect
):
    add_recommended_fields(sandbox.control, sandbox_org)
    sandbox.control.set_permissions(
        sandbox_org.org_id,
        "Standard User",
        fields={"Lead.sb_currentsequencename__c": "hidden", "Task.sb_callresult__c": "read"},
    )
    workspace = salesforce_connection.workspace
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    salesforce_connect(workspace, rep.user, sandbox_org)

    fields = items(checklist_run(admin=salesforce_connection), "Recommended custom fields")

    hidden = fields["Lead.sb_currentsequencename__c"]
    assert hidden.status == NOT_READABLE
    assert sandbox_org.rep_user.username in hidden.detail and "Visible" in hidden.fix
    read_only = fields["Task.sb_callresult__c"]
    assert read_only.status == NOT_EDITABLE
    assert sandbox_org.rep_user.username in read_only.detail and "Read-Only" in read_only.fix
    assert fields["Contact.sb_currentsequencename__c"].status == OK


def test_a_field_hidden_from_everyone_reads_as_missing(sandbox, sandbox_org, salesforce_connection):
    add_recommended_fields(sandbox.control, sandbox_org)
    sandbox.control.set_permissions(
        sandbox_org.org_id, "System Administrator", fields={"Task.sb_recordingurl__c": "hidden"}
    )

    item = items(checklist_run(admin=salesforce_connection), "Recommended custom fields")["Task.sb_recordingurl__c"]

    assert item.status == MISSING and "field-level security" in item.detail


def save_task_types(workspace, by_kind: dict[str, str]) -> None:
    """Saved Task mappings (as the CRM settings pages leave them) writing these Type values."""
    CrmSettings.objects.update_or_create(workspace=workspace, defaults={"defaults_applied_at": timezone.now()})
    for kind, value in by_kind.items():
        TaskFieldMapping.objects.create(
            workspace=workspace, activity_kind=kind, target_field="Type", source=ValueSource.CONSTANT, value=value
        )
        TaskFieldMapping.objects.create(
            workspace=workspace,
            activity_kind=kind,
            target_field="Subject",
            source=ValueSource.VARIABLE,
            value="subject",
        )


def set_task_type_picklist(sandbox, org_id: str, values: list[tuple[str, bool]]) -> None:
    """Replace the org's Task.Type values (value, active). The control API adds custom fields but cannot edit a
    standard picklist, so this edits the in-process sandbox's schema; describes still travel over HTTP."""
    state = sandbox.app.state
    org = state.org(org_id)
    with org.lock:
        spec = org.spec("Task").copy()
        spec.add_field(dataclasses.replace(spec.get("Type"), picklist=tuple((v, v, a) for v, a in values)))
        org.schema["Task"] = spec
        org.schema_modified = state.clock.time()
        org.touch()


def test_without_saved_mappings_the_stock_task_types_are_checked(sandbox_org, salesforce_connection):
    assert task_type_values_needed(workspace=salesforce_connection.workspace) == {
        "Call": ["Call"],
        "Email": ["Email sent", "Email received"],
        "LinkedIn": ["LinkedIn message", "LinkedIn connection request"],
        "SMS": ["SMS"],
        "Other": ["Basic (any other activity)"],
    }

    types = items(checklist_run(admin=salesforce_connection), "Task Type values")

    assert {label: item.status for label, item in types.items()} == {
        "Call": OK, "Email": OK, "LinkedIn": OK, "SMS": OK, "Other": OK,
    }  # fmt: skip
    assert "Email sent, Email received" in types["Email"].detail


def test_task_types_follow_the_saved_mappings_present_and_missing(sandbox_org, salesforce_connection):
    workspace = salesforce_connection.workspace
    save_task_types(workspace, {ActivityKind.CALL: "Call", ActivityKind.SMS: "Text Message"})
    TaskFieldMapping.objects.create(  # a kind whose mapping sets no Type needs none
        workspace=workspace,
        activity_kind=ActivityKind.OTHER,
        target_field="Subject",
        source="variable",
        value="subject",
    )

    types = items(checklist_run(admin=salesforce_connection), "Task Type values")

    assert set(types) == {"Call", "Text Message"}
    assert types["Call"].status == OK
    missing = types["Text Message"]
    assert missing.status == MISSING and "Used for SMS" in missing.detail
    assert "Type › Values › New" in missing.fix and "add “Text Message”" in missing.fix and "map SMS" in missing.fix
    client = logged_in_client(salesforce_connection.connected_by)
    page = client.get(reverse("integration_checklist", args=[workspace.slug])).content.decode()
    assert "Text Message" in page and "Missing" in page


def test_an_inactive_task_type_value_is_reported_as_inactive(sandbox, sandbox_org, salesforce_connection):
    set_task_type_picklist(sandbox, sandbox_org.org_id, [("Call", True), ("Email", True), ("SMS", False)])
    save_task_types(
        salesforce_connection.workspace,
        {ActivityKind.CALL: "Call", ActivityKind.SMS: "SMS", ActivityKind.LINKEDIN_MESSAGE: "LinkedIn"},
    )

    types = items(checklist_run(admin=salesforce_connection, force=True), "Task Type values")

    assert {label: item.status for label, item in types.items()} == {"Call": OK, "LinkedIn": MISSING, "SMS": INACTIVE}
    assert "Inactive Values › Activate “SMS”" in types["SMS"].fix
    page = logged_in_client(salesforce_connection.connected_by).get(
        reverse("integration_checklist", args=[salesforce_connection.workspace.slug])
    )
    assert 'data-status="inactive"' in page.content.decode() and "Inactive" in page.content.decode()


def test_api_access_of_each_rep_and_daily_usage(sandbox, sandbox_org, salesforce_connection, salesforce_connect):
    workspace = salesforce_connection.workspace
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    salesforce_connect(workspace, rep.user, sandbox_org)
    sandbox.control.set_permissions(sandbox_org.org_id, "Standard User", api_enabled=False)
    sandbox.control.settings(sandbox_org.org_id, api_limit=5000, api_used=4500)

    checklist = checklist_run(admin=salesforce_connection, force=True)

    access = {item.label: item for item in next(s for s in checklist.sections if s.title == "API access").items}
    assert access["API access · the admin connection"].status == OK
    rep_row = access[f"API access · {sandbox_org.rep_user.username}"]
    assert rep_row.status == PROBLEM and "API Enabled" in rep_row.fix
    usage = access["Daily API usage"]
    assert usage.status == WARN and "of 5,000" in usage.detail


def test_the_page_rechecks_on_a_click(sandbox, sandbox_org, salesforce_connection):
    client = logged_in_client(salesforce_connection.connected_by)
    url = reverse("integration_checklist", args=[salesforce_connection.workspace.slug])
    first = client.get(url).content.decode()
    assert "Lead.sb_activeinsequence__c" in first and "Missing" in first
    add_recommended_fields(sandbox.control, sandbox_org)
    add_sms_opt_out(sandbox.control, sandbox_org, salesforce_connection.workspace)

    cached = client.get(url).content.decode()
    assert 'data-testid="checklist-summary">' in cached and "to fix" in cached  # still the cached describes

    response = client.post(url, {"action": "recheck"}, follow=True)

    page = response.content.decode()
    assert "Re-checked the org against Salesforce" in page
    assert "All set" in page


def test_a_rep_may_read_the_checklist_but_not_recheck(sandbox_org, salesforce_connection):
    rep = MembershipFactory(workspace=salesforce_connection.workspace, role=Role.REP).user
    url = reverse("integration_checklist", args=[salesforce_connection.workspace.slug])
    client = logged_in_client(rep)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "recheck"}).status_code == 403


def test_the_prefix_is_configurable(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.add_fields(sandbox_org.org_id, "Lead", [{"name": "acme_activeinsequence__c", "type": "boolean"}])
    client = logged_in_client(salesforce_connection.connected_by)
    url = reverse("integration_checklist", args=[salesforce_connection.workspace.slug])

    client.post(url, {"action": "prefix", "field_prefix": "acme_"})

    salesforce_connection.refresh_from_db()
    assert salesforce_connection.field_prefix == "acme_"
    fields = items(checklist_run(admin=salesforce_connection), "Recommended custom fields")
    assert fields["Lead.acme_activeinsequence__c"].status == OK
    bad = client.post(url, {"action": "prefix", "field_prefix": "9 bad"})
    assert bad.status_code == 400 and "starting with a letter" in bad.content.decode()


def test_when_nobody_can_read_the_org_nothing_is_called_missing(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.expire_tokens(org=sandbox_org.org_id, refresh_tokens=True)

    checklist = checklist_run(admin=salesforce_connection, force=True)

    assert [s.title for s in checklist.sections] == ["API access"]
    assert items(checklist, "API access")["API access"].status == PROBLEM
    assert checklist.errors and "Reconnect" in checklist.errors[0]
