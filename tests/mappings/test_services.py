import pytest
from django.core.exceptions import ValidationError

from mappings.models import CrmSettings, SettingsChange, TaskFieldMapping
from mappings.sections import section_snapshot
from mappings.services import crm_settings_ensure_defaults, settings_change_revert, settings_section_save
from mappings.services.defaults import creation_default_rows, sequence_default_rows, task_default_rows
from mappings.types import ActivityKind
from tests.factories import UserFactory, WorkspaceFactory
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe

pytestmark = pytest.mark.django_db


def rows_of(*pairs):
    return [{"target_field": t, "source": "constant", "value": v} for t, v in pairs]


class TestSectionSave:
    def test_records_who_before_and_after(self):
        ws, user = WorkspaceFactory(), UserFactory()
        first = settings_section_save(workspace=ws, section="task:call", rows=rows_of(("Type", "Call")), actor=user)
        assert first.before == {"rows": []}
        assert first.after == {"rows": [{"target_field": "Type", "source": "constant", "value": "Call"}]}
        assert first.actor == user
        assert first.summary == "Added Type = Call"

    def test_no_change_records_nothing(self):
        ws = WorkspaceFactory()
        settings_section_save(workspace=ws, section="task:sms", rows=rows_of(("Type", "SMS")))
        assert settings_section_save(workspace=ws, section="task:sms", rows=rows_of(("Type", "SMS"))) is None
        assert SettingsChange.objects.count() == 1

    def test_order_is_kept_as_position(self):
        ws = WorkspaceFactory()
        settings_section_save(workspace=ws, section="task:call", rows=rows_of(("Subject", "a"), ("Type", "Call")))
        assert [m.target_field for m in TaskFieldMapping.objects.filter(workspace=ws)] == ["Subject", "Type"]
        change = settings_section_save(
            workspace=ws, section="task:call", rows=rows_of(("Type", "Call"), ("Subject", "a"))
        )
        assert change.summary == "Reordered"

    def test_duplicate_rows_violate_the_table_constraint(self):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):
            settings_section_save(
                workspace=WorkspaceFactory(), section="task:call", rows=rows_of(("Type", "Call"), ("Type", "Email"))
            )


class TestRevert:
    def test_revert_restores_the_section_and_is_itself_recorded(self):
        ws, user = WorkspaceFactory(), UserFactory()
        settings_section_save(workspace=ws, section="task:call", rows=rows_of(("Type", "Call")))
        change = settings_section_save(
            workspace=ws, section="task:call", rows=rows_of(("Type", "Meeting"), ("Subject", "Hi"))
        )
        settings_section_save(workspace=ws, section="task:email_sent", rows=rows_of(("Type", "Email")))
        revert = settings_change_revert(change=change, actor=user)
        assert section_snapshot(workspace=ws, section="task:call") == change.before
        assert revert.reverted_change == change
        assert revert.actor == user
        assert "Changed Type = Meeting → Type = Call" in revert.summary
        assert "Removed Subject = Hi" in revert.summary
        # other sections untouched
        assert section_snapshot(workspace=ws, section="task:email_sent")["rows"][0]["value"] == "Email"

    def test_reverting_twice_is_refused(self):
        ws = WorkspaceFactory()
        change = settings_section_save(workspace=ws, section="task:call", rows=rows_of(("Type", "Call")))
        settings_change_revert(change=change)
        with pytest.raises(ValidationError, match="already matches"):
            settings_change_revert(change=change)

    @pytest.mark.parametrize(
        ("section", "rows"),
        [
            ("sequence", [{"sobject": "Contact", "purpose": "name", "target_field": "Name__c"}]),
            ("creation:Lead", [{"target_field": "Company", "source": "constant", "value": "X", "fallback": ""}]),
            ("opt_out", [{"sobject": "Contact", "target_field": "Opt__c"}, {"sobject": "Lead", "target_field": None}]),
            ("sync:Account", [{"field_name": "T__c", "display_name": "T", "filterable": True, "field_type": "url"}]),
        ],
    )  # fmt: skip
    def test_every_section_round_trips(self, section, rows):
        ws = WorkspaceFactory()
        change = settings_section_save(workspace=ws, section=section, rows=rows)
        assert section_snapshot(workspace=ws, section=section) == {"rows": rows}
        settings_change_revert(change=change)
        assert section_snapshot(workspace=ws, section=section) == change.before

    def test_advanced_round_trips(self):
        ws = WorkspaceFactory()
        rows = section_snapshot(workspace=ws, section="advanced")["rows"]
        rows = [{**r, "value": "all"} if r["setting"] == "log_mode" else r for r in rows]
        change = settings_section_save(workspace=ws, section="advanced", rows=rows)
        assert CrmSettings.objects.get(workspace=ws).log_mode == "all"
        assert change.summary == (
            "Changed Log activities for = Completed activities only → "
            "Log activities for = All activities (open Task at start, completed at the end)"
        )
        settings_change_revert(change=change)
        assert CrmSettings.objects.get(workspace=ws).log_mode == "completed_only"


class TestDefaults:
    def test_stock_org_without_our_fields(self):
        rows = {r["target_field"]: r["value"] for r in task_default_rows(ActivityKind.CALL, task_describe())}
        assert rows == {
            "Type": "Call",
            "TaskSubtype": "Call",
            "Subject": "subject",
            "Description": "notes",
            "CallDisposition": "disposition",
            "CallDurationInSeconds": "duration_seconds",
        }

    def test_restricted_type_without_the_value_is_skipped(self):
        describe = task_describe(hidden=("Type",), extra=(
            sf_field("Type", "picklist", restrictedPicklist=True, values=("Call", "Email")),
        ))  # fmt: skip
        assert "Type" not in {r["target_field"] for r in task_default_rows(ActivityKind.SMS, describe)}
        assert {"target_field": "Type", "source": "constant", "value": "Call"} in task_default_rows("call", describe)

    def test_field_hidden_by_fls_is_not_used(self):
        describe = task_describe(sb_fields=True, hidden=("sb_recordingurl__c",))
        assert "sb_recordingurl__c" not in {r["target_field"] for r in task_default_rows("call", describe)}

    def test_custom_prefix(self):
        describe = task_describe(extra=(sf_field("acme_recordingurl__c", "url", length=255),))
        rows = task_default_rows("call", describe, prefix="acme_")
        assert {"target_field": "acme_recordingurl__c", "source": "variable", "value": "recording_url"} in rows

    def test_sequence_defaults_need_updateable_fields_of_the_right_type(self):
        contact = shared_describe("Contact", extra=sb_prospect_fields())
        for f in contact["fields"]:
            if f["name"] == "sb_currentsequencename__c":
                f["updateable"] = False
        rows = sequence_default_rows({"Contact": contact, "Lead": None})
        assert {r["purpose"] for r in rows} == {"active", "status", "step", "sequenced_by"}

    def test_creation_defaults_cover_required_fields(self):
        lead = {r["target_field"]: r["fallback"] for r in creation_default_rows("Lead", shared_describe("Lead"))}
        assert lead["Company"] == "Unknown" and lead["LastName"] == "Unknown"
        account = {r["target_field"] for r in creation_default_rows("Account", shared_describe("Account"))}
        assert "Name" in account

    def test_ensure_defaults_runs_once_and_needs_task_metadata(self):
        ws = WorkspaceFactory()
        assert crm_settings_ensure_defaults(workspace=ws, task_describe=None) is False
        assert not CrmSettings.objects.filter(workspace=ws).exists()
        assert crm_settings_ensure_defaults(workspace=ws, task_describe=task_describe()) is True
        assert crm_settings_ensure_defaults(workspace=ws, task_describe=task_describe()) is False
        assert TaskFieldMapping.objects.filter(workspace=ws, activity_kind="email_received").exists()
        assert CrmSettings.objects.get(workspace=ws).defaults_applied_at is not None

    def test_ensure_defaults_keeps_rows_entered_before_it(self):
        ws = WorkspaceFactory()
        settings_section_save(workspace=ws, section="task:sms", rows=rows_of(("Type", "Other")))
        assert crm_settings_ensure_defaults(workspace=ws, task_describe=task_describe()) is True
        assert section_snapshot(workspace=ws, section="task:sms")["rows"] == rows_of(("Type", "Other"))
        assert section_snapshot(workspace=ws, section="task:call")["rows"][0]["value"] == "Call"
