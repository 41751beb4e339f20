"""Values that mix text and variables (issue 16): `Call with {prospect.first_name} – {sequence.name}`, checked
when saved, shown in the live preview, and written as text in the Task and in new records."""

import json

import pytest

from mappings.models import CreationDefault, TaskFieldMapping
from mappings.payloads import ActivityData, CompanyData, ProspectData, creation_payload_build, task_payload_build
from mappings.text_templates import TemplateError, template_parse, template_render
from mappings.types import TASK_VARIABLES, ValueSource
from tests.factories import WorkspaceFactory
from tests.mappings.conftest import crm_url, formset_data, section_context, task_rows
from tests.mappings.describes import shared_describe, task_describe

pytestmark = pytest.mark.django_db
SUBJECT = "Call with {prospect.first_name} – {sequence.name}"


def render(text, **values):
    return template_render(template_parse(text, TASK_VARIABLES), values.get)


class TestParseAndRender:
    def test_text_and_variables(self):
        assert render(SUBJECT, **{"prospect.first_name": "Ada", "sequence_name": "Q2"}) == "Call with Ada – Q2"

    def test_a_variable_without_a_value_takes_its_separator_with_it(self):
        assert render(SUBJECT, **{"prospect.first_name": "Ada"}) == "Call with Ada"
        assert render("{subject}, {disposition}", disposition="Connected") == "Connected"

    def test_literal_braces(self):
        assert render("{{not a variable}} {subject}", subject="Hi") == "{not a variable} Hi"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("Call with {first_name}", "Unknown variable {first_name}"),
            ("Call with {prospect.first_name", "is not closed"),
            ("Call with }", "has no “{” before it"),
            ("Call {}", "names no variable"),
        ],
    )
    def test_mistakes_are_named(self, text, message):
        with pytest.raises(TemplateError, match=message):
            template_parse(text, TASK_VARIABLES)


class TestPayloads:
    def test_task_payload_renders_the_template(self):
        ws = WorkspaceFactory()
        TaskFieldMapping.objects.create(workspace=ws, activity_kind="call", target_field="Subject",
                                        source=ValueSource.TEMPLATE, value=SUBJECT)  # fmt: skip
        activity = ActivityData(kind="call", sequence_name="Q2 Outbound", prospect=ProspectData(first_name="Ada"))
        payload = task_payload_build(workspace=ws, activity=activity, task_describe=task_describe())
        assert payload.fields["Subject"] == "Call with Ada – Q2 Outbound"
        assert payload.warnings == []

    def test_rendered_text_longer_than_the_field_is_cut_with_a_warning(self):
        ws = WorkspaceFactory()
        TaskFieldMapping.objects.create(workspace=ws, activity_kind="call", target_field="Subject",
                                        source=ValueSource.TEMPLATE, value="{notes} and more")  # fmt: skip
        payload = task_payload_build(workspace=ws, activity=ActivityData(kind="call", notes="x" * 300),
                                     task_describe=task_describe())  # fmt: skip
        assert len(payload.fields["Subject"]) == 255
        assert any("cut to 255" in w for w in payload.warnings)

    def test_creation_template_with_fallback(self):
        ws = WorkspaceFactory()
        CreationDefault.objects.create(workspace=ws, sobject="Account", target_field="Description",
                                       source=ValueSource.TEMPLATE, value="{company.industry} · {company.location}",
                                       fallback="No LinkedIn data")  # fmt: skip
        describe = shared_describe("Account")
        full = ProspectData(company=CompanyData(industry="Fintech", location="London"))
        assert (
            creation_payload_build(workspace=ws, sobject="Account", prospect=full, describe=describe)["Description"]
            == "Fintech · London"
        )
        empty = creation_payload_build(workspace=ws, sobject="Account", prospect=ProspectData(), describe=describe)
        assert empty["Description"] == "No LinkedIn data"


def template_row(target, text):
    return {"target_field": target, "source": "template", "template": text}


class TestPage:
    def test_saved_validated_and_previewed(self, owner_client, owner, connected):
        ws = owner.workspace
        url = crm_url(ws, "tasks/call/")
        owner_client.get(url)
        rows = [r for r in task_rows(ws, "call") if r["target_field"] != "Subject"]
        bad = rows + [template_row("Subject", "Call with {first_name}")]
        response = owner_client.post(url, formset_data("task-call", bad, initial=len(rows)))
        assert response.status_code == 400
        errors = section_context(response)["formset"].forms[-1].errors["template"][0]
        assert "Unknown variable {first_name}" in errors and "{prospect.first_name}" in errors

        # The live preview renders the unsaved template with the sample activity.
        good = rows + [template_row("Subject", SUBJECT)]
        preview = owner_client.get(
            crm_url(ws, "tasks/call/preview/"), formset_data("task-call", good, initial=len(rows))
        ).json()
        assert preview["fields"]["Subject"] == "Call with Ada – Q2 Outbound – Finance leaders"
        assert not preview["invalid"]

        response = owner_client.post(url, formset_data("task-call", good, initial=len(rows)))
        assert response.status_code == 302
        saved = TaskFieldMapping.objects.get(workspace=ws, activity_kind="call", target_field="Subject")
        assert (saved.source, saved.value) == ("template", SUBJECT)
        page = owner_client.get(url)
        shown = json.loads(section_context(page)["preview_json"])
        assert shown["Subject"] == "Call with Ada – Q2 Outbound – Finance leaders"
        assert any(f.initial.get("template") == SUBJECT for f in section_context(page)["formset"].forms)

    @pytest.mark.parametrize(
        ("target", "message"),
        [("CallDurationInSeconds", "text with variables fits text fields only"), ("CallType", "restricted picklist")],
    )
    def test_only_text_fields_take_a_template(self, owner_client, owner, connected, target, message):
        ws = owner.workspace
        url = crm_url(ws, "tasks/call/")
        owner_client.get(url)
        rows = [r for r in task_rows(ws, "call") if r["target_field"] != target]
        response = owner_client.post(
            url, formset_data("task-call", rows + [template_row(target, "{subject}")], initial=len(rows))
        )
        assert response.status_code == 400
        assert message in section_context(response)["formset"].forms[-1].errors["template"][0]

    def test_a_template_whose_field_became_a_number_is_flagged_as_drift(self, owner, describes):
        from mappings.drift import mapping_drift

        row = TaskFieldMapping(target_field="sb_callresult__c", source="template", value="{disposition}!")
        field = next(f for f in describes["Task"]["fields"] if f["name"] == "sb_callresult__c")
        field["type"] = "double"
        assert "fits text fields only" in mapping_drift([row], describes["Task"])["sb_callresult__c"]
