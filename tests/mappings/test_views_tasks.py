import html as html_module
import json

import pytest

from mappings.models import SettingsChange, TaskFieldMapping
from mappings.types import ActivityKind
from tests.mappings.conftest import crm_url, formset_data, section_context, task_rows

pytestmark = pytest.mark.django_db
PREFIX = "task-call"


def call_url(ws, path=""):
    return crm_url(ws, f"tasks/call/{path}")


def saved(ws, kind=ActivityKind.CALL):
    return {
        m.target_field: (m.source, m.value) for m in TaskFieldMapping.objects.filter(workspace=ws, activity_kind=kind)
    }


def const(target, value):
    return {"target_field": target, "source": "constant", "constant": value}


def var(target, key):
    return {"target_field": target, "source": "variable", "variable": key}


def post(client, ws, rows, initial):
    return client.post(call_url(ws), formset_data(PREFIX, rows, initial=initial))


class TestStockDefaults:
    def test_first_visit_by_an_admin_creates_stock_mappings_for_every_kind(self, owner_client, owner, connected):
        response = owner_client.get(call_url(owner.workspace))
        assert response.status_code == 200
        ws = owner.workspace
        assert saved(ws) == {
            "Type": ("constant", "Call"),
            "TaskSubtype": ("constant", "Call"),
            "Subject": ("variable", "subject"),
            "Description": ("variable", "notes"),
            "sb_recordingurl__c": ("variable", "recording_url"),
            "sb_numberdialed__c": ("variable", "number_dialed"),
            "sb_callresult__c": ("variable", "disposition"),
            "CallDurationInSeconds": ("variable", "duration_seconds"),
            "sb_sequencename__c": ("variable", "sequence_name"),
            "sb_sequencestepname__c": ("variable", "step_name"),
        }
        assert saved(ws, ActivityKind.EMAIL_SENT)["Type"] == ("constant", "Email")
        assert saved(ws, ActivityKind.LINKEDIN_MESSAGE)["TaskSubtype"] == ("constant", "LinkedIn")
        assert saved(ws, ActivityKind.SMS)["Type"] == ("constant", "SMS")
        assert "TaskSubtype" not in saved(ws, ActivityKind.SMS)
        assert saved(ws, ActivityKind.OTHER)["Type"] == ("constant", "Other")
        # Switchboard applied them, not the owner who happened to open the page first.
        stock = SettingsChange.objects.get(workspace=ws, section="task:call")
        assert stock.actor is None and stock.summary.startswith("Stock defaults")

    def test_defaults_are_created_once(self, owner_client, owner, connected):
        owner_client.get(call_url(owner.workspace))
        TaskFieldMapping.objects.filter(workspace=owner.workspace).delete()
        owner_client.get(call_url(owner.workspace))
        assert not TaskFieldMapping.objects.filter(workspace=owner.workspace).exists()

    def test_a_rep_opening_the_page_creates_nothing(self, client, rep, connected):
        client.force_login(rep.user)
        assert client.get(call_url(rep.workspace)).status_code == 200
        assert not TaskFieldMapping.objects.filter(workspace=rep.workspace).exists()


class TestEditing:
    def test_valid_edit_is_saved_and_recorded(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0] = {**rows[0], "constant": "Meeting"}  # Type
        rows.append({"target_field": "IsReminderSet", "source": "constant", "constant": "true"})
        response = post(owner_client, ws, rows, initial=len(rows) - 1)
        assert response.status_code == 302
        assert saved(ws)["Type"] == ("constant", "Meeting")
        assert saved(ws)["IsReminderSet"] == ("constant", "true")
        change = SettingsChange.objects.filter(workspace=ws, section="task:call").first()
        assert change.actor == owner.user
        assert {"target_field": "Type", "source": "constant", "value": "Call"} in change.before["rows"]
        assert {"target_field": "Type", "source": "constant", "value": "Meeting"} in change.after["rows"]
        assert "Changed Type = Call → Type = Meeting" in change.summary

    def test_deleting_a_row(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0]["DELETE"] = True
        assert post(owner_client, ws, rows, initial=len(rows)).status_code == 302
        assert "Type" not in saved(ws)

    @pytest.mark.parametrize(
        ("row", "field", "message"),
        [
            (var("CallDurationInSeconds", "recording_url"), "variable", "is url; CallDurationInSeconds is a int field"),
            (const("CallType", "Sideways"), "constant", "not an active value of this restricted picklist"),
            (var("CallType", "disposition"), "variable", "restricted picklist"),
            (const("sb_numberdialed__c", "1" * 41), "constant", "At most 40 characters"),
            (const("CallDurationInSeconds", "long"), "constant", "whole number"),
            (const("IsReminderSet", "perhaps"), "constant", "true or false"),
            (const("Invisible__c", "x"), "target_field", "no longer exists in Salesforce or is hidden"),
            (const("IsClosed", "true"), "target_field", "no longer writable"),
            (const("OwnerId", "005000000000001"), "target_field", "set by Switchboard"),
            (var("Subject", "nope"), "variable", "Choose one of the listed variables"),
            (var("Subject", ""), "variable", "Choose a variable"),
        ],
    )  # fmt: skip
    def test_invalid_rows_are_refused_with_the_message_beside_the_field(
        self, owner_client, owner, connected, row, field, message
    ):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        before = saved(ws)
        rows = task_rows(ws, "call")
        response = post(owner_client, ws, [*rows, row], initial=len(rows))
        assert response.status_code == 400
        form = section_context(response)["formset"].forms[len(rows)]
        assert message in " ".join(form.errors[field])
        assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
        assert saved(ws) == before

    def test_two_rows_onto_one_field_are_refused(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        extra = {"target_field": "Type", "source": "constant", "constant": "Email"}
        response = post(owner_client, ws, [*rows, extra], initial=len(rows))
        assert response.status_code == 400
        assert (
            "already mapped in row 1" in section_context(response)["formset"].forms[len(rows)].errors["target_field"][0]
        )

    def test_required_task_field_gap_is_reported(self, owner_client, owner, describes):
        from tests.mappings.conftest import cached_connection
        from tests.mappings.describes import sf_field

        describes["Task"]["fields"].append(sf_field("Region__c", "string", length=20, nillable=False))
        cached_connection(owner.workspace, describes)
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        response = post(owner_client, ws, rows, initial=len(rows))
        assert response.status_code == 400
        assert "Region__c" in section_context(response)["formset"].non_form_errors()[0]
        rows.append({"target_field": "Region__c", "source": "constant", "constant": "EMEA"})
        assert post(owner_client, ws, rows, initial=len(rows) - 1).status_code == 302


class TestPermissions:
    def test_rep_sees_read_only_page_and_cannot_post(self, client, rep, owner, connected, owner_client):
        owner_client.get(call_url(owner.workspace))  # defaults exist
        client.force_login(rep.user)
        response = client.get(call_url(rep.workspace))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="readonly-note"' in html
        assert "Save mappings" not in html
        assert all(f.disabled for form in section_context(response)["formset"].forms for f in form.fields.values())
        assert len(section_context(response)["formset"].forms) == len(task_rows(rep.workspace, "call"))  # no blank row
        rows = task_rows(rep.workspace, "call")
        assert post(client, rep.workspace, rows, initial=len(rows)).status_code == 403

    @pytest.mark.parametrize(
        "path",
        ["tasks/sms/", "contact/sequence/", "account/defaults/", "contact/sms/", "lead/sync/", "advanced/",
         "metadata/refresh/", "history/{change}/revert/"],
    )  # fmt: skip
    def test_rep_post_gets_the_apps_403_page_and_changes_nothing(self, client, rep, owner_client, connected, path):
        ws = rep.workspace
        owner_client.get(call_url(ws))  # stock defaults, so there is history to revert
        change = SettingsChange.objects.filter(workspace=ws).first()
        count = SettingsChange.objects.filter(workspace=ws).count()
        client.force_login(rep.user)
        response = client.post(crm_url(ws, path.format(change=change.pk)), {"log_mode": "all"})
        html = response.content.decode()
        assert response.status_code == 403
        assert "<h1>You can't do that here</h1>" in html
        assert "Only members with the Manage CRM Settings permission can change CRM settings." in html
        assert "error-page" in html  # the app's own layout, not Django's bare 403
        assert SettingsChange.objects.filter(workspace=ws).count() == count

    def test_non_member_gets_404(self, client, connected):
        from tests.factories import UserFactory

        client.force_login(UserFactory())
        assert client.get(call_url(connected.workspace)).status_code == 404

    def test_unknown_kind_is_404(self, owner_client, owner, connected):
        assert owner_client.get(crm_url(owner.workspace, "tasks/fax/")).status_code == 404


class TestPreview:
    def test_preview_of_saved_mapping(self, owner_client, owner, connected):
        owner_client.get(call_url(owner.workspace))
        data = owner_client.get(call_url(owner.workspace, "preview/")).json()
        assert data["fields"]["Type"] == "Call"
        assert data["fields"]["Status"] == "Completed"
        assert data["fields"]["CallDurationInSeconds"] == 312
        assert json.loads(data["json"]) == data["fields"]

    def test_preview_of_an_unsaved_edit_changes_nothing(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0]["constant"] = "Meeting"
        query = formset_data(PREFIX, rows, initial=len(rows))
        data = owner_client.get(call_url(ws, "preview/"), query).json()
        assert data["fields"]["Type"] == "Meeting"
        assert data["invalid"] is False
        assert saved(ws)["Type"] == ("constant", "Call")

    def test_preview_skips_invalid_rows_and_says_so(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0]["constant"] = "Sideways"
        rows[0]["target_field"] = "CallType"
        data = owner_client.get(call_url(ws, "preview/"), formset_data(PREFIX, rows, initial=len(rows))).json()
        assert data["invalid"] is True
        assert "CallType" not in data["fields"]

    def test_after_a_failed_save_the_preview_shows_what_was_submitted(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0]["constant"] = "Meeting"  # Type
        rows.append(const("IsReminderSet", "perhaps"))
        response = post(owner_client, ws, rows, initial=len(rows) - 1)
        assert response.status_code == 400
        html = html_module.unescape(response.content.decode())
        shown = json.loads(html.split('data-testid="task-preview">')[1].split("</pre>")[0])
        assert shown["Type"] == "Meeting"  # the submitted edit, not the saved "Call"
        assert "IsReminderSet" not in shown  # the row with the error is left out
        note = html.split('data-testid="preview-note">')[1].split("</p>")[0]
        assert "Not saved" in note and "leaving out the rows with errors" in note
        assert saved(ws)["Type"] == ("constant", "Call")

    def test_open_state_preview(self, owner_client, owner, connected):
        owner_client.get(call_url(owner.workspace))
        data = owner_client.get(call_url(owner.workspace, "preview/"), {"state": "open"}).json()
        assert data["fields"]["Status"] == "Not Started"

    def test_rep_may_preview(self, client, rep, connected):
        client.force_login(rep.user)
        assert client.get(call_url(rep.workspace, "preview/")).status_code == 200

    def test_garbage_query_is_not_a_500(self, owner_client, owner, connected):
        response = owner_client.get(call_url(owner.workspace, "preview/"), {f"{PREFIX}-TOTAL_FORMS": "x"})
        assert response.status_code == 200
        assert response.json()["invalid"] is True
