import pytest
from django.test import Client
from django.urls import reverse

from mappings.models import CrmSettings, OptOutField, SettingsChange, SyncFieldMapping, TaskFieldMapping
from mappings.services import settings_section_save
from tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

MODELS = ["taskfieldmapping", "sequencefieldmapping", "creationdefault", "optoutfield", "syncfieldmapping",
          "crmsettings", "settingschange"]  # fmt: skip


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render_with_filters_and_search(staff_client, model):
    ws = WorkspaceFactory()
    settings_section_save(
        workspace=ws, section="task:call", rows=[{"target_field": "Type", "source": "constant", "value": "Call"}]
    )
    url = reverse(f"admin:mappings_{model}_changelist")
    assert staff_client.get(url, {"q": "Type", "workspace__id__exact": ws.pk}).status_code == 200


@pytest.mark.parametrize("model", MODELS[:-1])
def test_add_and_change_forms_render(staff_client, model):
    ws = WorkspaceFactory()
    settings_section_save(
        workspace=ws, section="task:call", rows=[{"target_field": "Type", "source": "constant", "value": "Call"}]
    )
    settings_section_save(workspace=ws, section="advanced", rows=[{"setting": "log_mode", "value": "all"}])
    assert staff_client.get(reverse(f"admin:mappings_{model}_add")).status_code == 200
    from django.apps import apps

    row = apps.get_model("mappings", model).objects.first()
    if row is not None:
        assert staff_client.get(reverse(f"admin:mappings_{model}_change", args=[row.pk])).status_code == 200


def test_history_is_read_only_in_admin(staff_client):
    change = settings_section_save(
        workspace=WorkspaceFactory(),
        section="task:sms",
        rows=[{"target_field": "Type", "source": "constant", "value": "SMS"}],
    )
    url = reverse("admin:mappings_settingschange_change", args=[change.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"summary": "tampered"})
    assert SettingsChange.objects.get(pk=change.pk).summary == "Added Type = SMS"
    assert staff_client.get(reverse("admin:mappings_settingschange_add")).status_code == 403


def add(staff_client, model, data):
    return staff_client.post(reverse(f"admin:mappings_{model}_add"), data)


def form_errors(response) -> dict:
    assert response.status_code == 200, "expected the form back with errors"
    return {name: " ".join(errors) for name, errors in response.context["adminform"].form.errors.items()}


class TestAdminValidation:
    """Staff get the settings pages' checks as form errors, never a 500; the cached describe is the reference."""

    @pytest.fixture
    def ws(self, owner, connected):
        return owner.workspace

    def task(self, ws, target, source, value, kind="call"):
        return {
            "workspace": ws.pk, "activity_kind": kind, "target_field": target, "source": source, "value": value,
            "position": 0,
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("target", "source", "value", "field", "message"),
        [
            ("Subject", "variable", "favourite_colour", "value", "Choose one of the listed variables"),
            ("WhoId", "constant", "003000000000001", "target_field", "set by Switchboard itself"),
            ("CallDurationInSeconds", "constant", "long", "value", "whole number"),
            ("CallDurationInSeconds", "variable", "recording_url", "value", "CallDurationInSeconds is a int field"),
            ("CallType", "constant", "Sideways", "value", "not an active value of this restricted picklist"),
            ("sb_numberdialed__c", "constant", "1" * 41, "value", "At most 40 characters"),
            ("Invisible__c", "constant", "x", "target_field", "no longer exists in Salesforce or is hidden"),
            ("IsClosed", "constant", "true", "target_field", "no longer writable"),
        ],
    )  # fmt: skip
    def test_invalid_task_mapping_is_a_form_error(self, staff_client, ws, target, source, value, field, message):
        response = add(staff_client, "taskfieldmapping", self.task(ws, target, source, value))
        assert message in form_errors(response)[field]
        assert not TaskFieldMapping.objects.filter(workspace=ws).exists()

    def test_valid_task_mapping_is_saved_under_the_fields_real_name(self, staff_client, ws):
        response = add(staff_client, "taskfieldmapping", self.task(ws, "calltype", "constant", "Outbound"))
        assert response.status_code == 302
        assert TaskFieldMapping.objects.get(workspace=ws).target_field == "CallType"
        response = add(staff_client, "taskfieldmapping", self.task(ws, "CALLTYPE", "constant", "Inbound"))
        assert "already exists" in form_errors(response)["__all__"]

    def test_change_form_of_a_picklist_row_lists_the_values_that_fit(self, staff_client, ws):
        response = add(staff_client, "taskfieldmapping", self.task(ws, "CallType", "constant", "Outbound"))
        assert response.status_code == 302
        row = TaskFieldMapping.objects.get(workspace=ws)
        html = staff_client.get(reverse("admin:mappings_taskfieldmapping_change", args=[row.pk])).content.decode()
        assert "CallType is a restricted picklist: a fixed value must be one of Internal, Inbound, Outbound." in html
        row.target_field, row.value = "Priority", "High"
        row.save()
        html = staff_client.get(reverse("admin:mappings_taskfieldmapping_change", args=[row.pk])).content.decode()
        assert "Priority offers High, Normal, Low; other values are accepted too." in html

    def test_without_cached_metadata_only_the_catalogue_is_checked(self, staff_client):
        ws = WorkspaceFactory()
        assert add(staff_client, "taskfieldmapping", self.task(ws, "Anything__c", "constant", "x")).status_code == 302
        response = add(staff_client, "taskfieldmapping", self.task(ws, "Other__c", "variable", "nope"))
        assert "Choose one of the listed variables" in form_errors(response)["value"]

    def test_required_creation_field_from_a_variable_needs_a_fallback(self, staff_client, ws):
        data = {
            "workspace": ws.pk, "sobject": "Lead", "target_field": "Company", "source": "variable",
            "value": "company.name", "fallback": "", "position": 0,
        }  # fmt: skip
        assert (
            "enter a value for when it is unknown"
            in form_errors(add(staff_client, "creationdefault", data))["fallback"]
        )
        data["value"] = "prospect.favourite_colour"
        assert "Choose one of the listed variables" in form_errors(add(staff_client, "creationdefault", data))["value"]
        data.update(value="company.name", fallback="Unknown")
        assert add(staff_client, "creationdefault", data).status_code == 302

    def test_sequence_mapping_needs_a_field_of_the_right_kind(self, staff_client, ws):
        data = {
            "workspace": ws.pk,
            "sobject": "Contact",
            "purpose": "active",
            "target_field": "sb_currentsequencename__c",
        }
        assert (
            "a checkbox field is needed" in form_errors(add(staff_client, "sequencefieldmapping", data))["target_field"]
        )
        data["target_field"] = "Email"
        assert (
            "set by Switchboard itself" in form_errors(add(staff_client, "sequencefieldmapping", data))["target_field"]
        )
        data["target_field"] = "sb_activeinsequence__c"
        assert add(staff_client, "sequencefieldmapping", data).status_code == 302

    def test_opt_out_field_must_be_a_checkbox(self, staff_client, ws):
        data = {"workspace": ws.pk, "sobject": "Lead", "target_field": "Email"}
        assert "choose a checkbox field" in form_errors(add(staff_client, "optoutfield", data))["target_field"]
        data["target_field"] = ""
        assert add(staff_client, "optoutfield", data).status_code == 302
        assert OptOutField.objects.get(workspace=ws, sobject="Lead").target_field is None

    def test_sync_field_must_exist_and_takes_its_type_from_the_describe(self, staff_client, ws):
        data = {"workspace": ws.pk, "sobject": "Contact", "field_name": "Gone__c", "display_name": "Gone",
                "field_type": "string"}  # fmt: skip
        assert "does not exist in Salesforce" in form_errors(add(staff_client, "syncfieldmapping", data))["field_name"]
        data.update(field_name="LinkedIn_URL__c", display_name="  ")
        assert "required" in form_errors(add(staff_client, "syncfieldmapping", data))["display_name"]
        data["display_name"] = "LinkedIn"
        assert add(staff_client, "syncfieldmapping", data).status_code == 302
        assert SyncFieldMapping.objects.get(workspace=ws).field_type == "url"

    def test_crm_settings_can_be_added_and_linkedin_field_is_checked(self, staff_client, ws):
        data = {"workspace": ws.pk, "log_mode": "all", "new_prospect_as": "lead", "api_budget_percent": 50,
                "linkedin_url_field_contact": "Email", "linkedin_url_field_lead": ""}  # fmt: skip
        assert (
            "choose a URL or text field"
            in form_errors(add(staff_client, "crmsettings", data))["linkedin_url_field_contact"]
        )
        data["linkedin_url_field_contact"] = "LinkedIn_URL__c"
        assert add(staff_client, "crmsettings", data).status_code == 302
        assert CrmSettings.objects.get(workspace=ws).log_mode == "all"


class TestAdminEditsAreInTheHistory:
    def test_add_change_and_delete_are_recorded_with_the_staff_member(self, client, owner, connected):
        staff = UserFactory(is_staff=True, is_superuser=True)
        client.force_login(staff)
        ws = owner.workspace
        data = {"workspace": ws.pk, "activity_kind": "sms", "target_field": "Type", "source": "constant",
                "value": "SMS", "position": 0}  # fmt: skip
        assert add(client, "taskfieldmapping", data).status_code == 302
        row = TaskFieldMapping.objects.get(workspace=ws, activity_kind="sms")
        url = reverse("admin:mappings_taskfieldmapping_change", args=[row.pk])
        assert client.post(url, {**data, "value": "Other"}).status_code == 302
        delete = reverse("admin:mappings_taskfieldmapping_delete", args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 302
        changes = list(SettingsChange.objects.filter(workspace=ws, section="task:sms").order_by("pk"))
        assert [c.summary for c in changes] == [
            "Edited in the Django admin: Added Type = SMS",
            "Edited in the Django admin: Changed Type = SMS → Type = Other",
            "Edited in the Django admin: Removed Type = Other",
        ]
        assert {c.actor for c in changes} == {staff}

    def test_moving_a_row_to_another_kind_records_both_sections(self, staff_client):
        ws = WorkspaceFactory()
        change = settings_section_save(
            workspace=ws, section="task:call", rows=[{"target_field": "Type", "source": "constant", "value": "Call"}]
        )
        row = TaskFieldMapping.objects.get(workspace=ws)
        url = reverse("admin:mappings_taskfieldmapping_change", args=[row.pk])
        data = {"workspace": ws.pk, "activity_kind": "other", "target_field": "Type", "source": "constant",
                "value": "Call", "position": 0}  # fmt: skip
        assert staff_client.post(url, data).status_code == 302
        sections = set(SettingsChange.objects.exclude(pk=change.pk).values_list("section", flat=True))
        assert sections == {"task:call", "task:other"}

    def test_bulk_delete_is_recorded_and_can_be_reverted_on_the_history_page(self, client, owner, connected):
        owner_client = client
        owner_client.force_login(owner.user)
        ws = owner.workspace
        owner_client.get(f"/w/{ws.slug}/settings/crm/tasks/call/")  # stock defaults
        before = TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call").count()
        staff = UserFactory(is_staff=True, is_superuser=True)
        staff_client = Client()
        staff_client.force_login(staff)
        ids = list(TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call").values_list("pk", flat=True))
        response = staff_client.post(
            reverse("admin:mappings_taskfieldmapping_changelist"),
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        assert response.status_code == 302
        assert not TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call").exists()
        change = SettingsChange.objects.get(workspace=ws, section="task:call", actor=staff)
        assert change.summary.startswith("Edited in the Django admin: Removed Type = Call")
        history = owner_client.get(f"/w/{ws.slug}/settings/crm/history/").content.decode()
        assert staff.email in history
        response = owner_client.post(f"/w/{ws.slug}/settings/crm/history/{change.pk}/revert/")
        assert response.status_code == 302
        assert TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call").count() == before
