"""Fixed values for picklist fields: a select of the active values, "Other value…" only where the org allows it."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict

from mappings.compat import fields_by_name
from mappings.forms.creation import CreationRowForm
from mappings.forms.rows import MappingRowForm
from mappings.forms.task import task_targets
from mappings.forms.widgets import OTHER_VALUE
from mappings.models import CreationDefault, TaskFieldMapping
from mappings.types import CREATION_VARIABLES, TASK_VARIABLES
from tests.mappings.conftest import crm_url, formset_data, section_context, task_rows
from tests.mappings.describes import sf_field, task_describe

pytestmark = pytest.mark.django_db
PREFIX = "task-call"


class ValueInputHtml(HTMLParser):
    """The parts of one rendered value input a person sees: its mode, the select's options, the text box."""

    def __init__(self, html: str):
        super().__init__()
        self.mode = None
        self.select: dict = {}
        self.options: list[tuple[str, str, bool]] = []
        self.box: dict = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and "data-value-input" in attrs:
            self.mode = attrs["data-mode"]
        elif tag == "select":
            self.select = attrs
        elif tag == "option":
            self.options.append([attrs["value"], "", "selected" in attrs])
        elif tag == "input":
            self.box = attrs

    def handle_data(self, data):
        if self.options and self.lasttag == "option" and not self.options[-1][1]:
            self.options[-1][1] = data.strip()

    @property
    def values(self) -> list[str]:
        return [value for value, _, _ in self.options]

    @property
    def selected(self) -> list[str]:
        return [value for value, _, chosen in self.options if chosen]

    def shown(self, attrs: dict) -> bool:
        return "hidden" not in attrs and "disabled" not in attrs


def task_form(data=None, *, initial=None, describe=None):
    describe = describe or task_describe(sb_fields=True)
    return MappingRowForm(
        data,
        initial=initial,
        prefix="row",
        sf_fields=fields_by_name(describe),
        targets=task_targets(describe),
        variables=TASK_VARIABLES,
    )


def call_url(ws):
    return crm_url(ws, "tasks/call/")


def saved(ws):
    return {m.target_field: m.value for m in TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call")}


def row_html(response, target: str) -> ValueInputHtml:
    """The fixed-value input of the page's row onto `target`, as rendered in the page's HTML."""
    html = response.content.decode()
    forms = section_context(response)["formset"].forms
    form = next(f for f in forms if (f["target_field"].value() or "") == target)
    rendered = str(form["constant"])
    assert rendered in html
    return ValueInputHtml(rendered)


class TestRendering:
    def test_restricted_picklist_is_a_select_of_its_active_values_and_nothing_else(self):
        describe = task_describe(sb_fields=True)
        subtype = next(f for f in describe["fields"] if f["name"] == "TaskSubtype")
        subtype["picklistValues"][2]["active"] = False  # ListEmail
        widget = ValueInputHtml(str(task_form(initial={"target_field": "TaskSubtype"}, describe=describe)["constant"]))
        assert widget.mode == "list"
        assert widget.shown(widget.select)
        assert widget.select["aria-label"] == "Fixed value"
        assert widget.values == ["", "Task", "Email", "Cadence", "Call", "LinkedIn"]
        assert OTHER_VALUE not in widget.values
        assert not widget.shown(widget.box)  # nothing can be typed

    def test_stock_call_page_offers_select_for_type_and_subtype(self, owner_client, owner, connected):
        response = owner_client.get(call_url(owner.workspace))
        subtype = row_html(response, "TaskSubtype")
        assert (subtype.mode, subtype.selected) == ("list", ["Call"])
        assert not subtype.shown(subtype.box)
        task_type = row_html(response, "Type")
        assert task_type.mode == "open"
        assert task_type.values == ["", "Call", "Email", "Meeting", "LinkedIn", "SMS", "Other", OTHER_VALUE]
        assert task_type.selected == ["Call"]
        assert task_type.shown(task_type.box) and task_type.box.get("value", "") == ""  # "type another" without JS

    def test_a_value_outside_an_open_list_shows_as_other_value(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        rows[0] = {**rows[0], "constant": "Webinar"}
        assert owner_client.post(call_url(ws), formset_data(PREFIX, rows, initial=len(rows))).status_code == 302
        task_type = row_html(owner_client.get(call_url(ws)), "Type")
        assert task_type.selected == [OTHER_VALUE]
        assert task_type.box["value"] == "Webinar"

    def test_a_new_fixed_value_starts_on_the_picklists_default(self):
        widget = ValueInputHtml(str(task_form(initial={"target_field": "Priority"})["constant"]))
        assert widget.selected == ["Normal"]
        assert "" not in widget.values  # a default exists, so no blank choice

    def test_a_saved_value_the_org_deactivated_stays_visible_and_flagged(self):
        describe = task_describe(sb_fields=True)
        call_type = next(f for f in describe["fields"] if f["name"] == "CallType")
        call_type["picklistValues"][1]["active"] = False  # Inbound
        form = task_form(
            initial={"target_field": "CallType", "source": "constant", "constant": "Inbound"}, describe=describe
        )
        widget = ValueInputHtml(str(form["constant"]))
        assert widget.selected == ["Inbound"]
        assert ("Inbound", "Inbound (not an active value)", True) in [tuple(o) for o in widget.options]
        assert widget.values.count("Inbound") == 1

    def test_field_without_values_keeps_the_text_box(self):
        widget = ValueInputHtml(str(task_form(initial={"target_field": "CallObject"})["constant"]))
        assert widget.mode == "text"
        assert widget.shown(widget.box) and widget.box["aria-label"] == "Fixed value"
        assert not widget.shown(widget.select)

    def test_target_options_carry_values_and_default_for_the_page_js(self):
        html = str(task_form()["target_field"])
        assert 'value="Priority" data-type="picklist"' in html
        assert 'data-value-mode="open"' in html and 'data-default="Normal"' in html
        assert 'data-value-mode="list"' in html  # CallType, TaskSubtype

    def test_creation_fallback_of_a_picklist_is_a_select_with_a_blank_choice(self):
        from tests.mappings.describes import shared_describe

        lead = shared_describe("Lead")
        form = CreationRowForm(
            initial={"target_field": "LeadSource", "source": "variable", "variable": "company.name"},
            prefix="row",
            sf_fields=fields_by_name(lead),
            targets=[],
            variables=CREATION_VARIABLES,
        )
        fallback = ValueInputHtml(str(form["fallback"]))
        assert fallback.mode == "open"
        assert fallback.values[0] == "" and fallback.options[0][1] == "— nothing —"
        assert fallback.selected == [""]  # an optional value is not preset
        assert fallback.select["aria-label"] == "If unknown"


class TestPosting:
    def post(self, client, ws, extra: dict):
        client.get(call_url(ws))
        rows = task_rows(ws, "call")
        data = formset_data(
            PREFIX, [*rows, {"target_field": extra.pop("target_field"), "source": "constant"}], initial=len(rows)
        )
        data.update({f"{PREFIX}-{len(rows)}-{key}": value for key, value in extra.items()})
        return client.post(call_url(ws), data), len(rows)

    def test_value_picked_from_a_restricted_select_is_saved(self, owner_client, owner, connected):
        response, _ = self.post(
            owner_client, owner.workspace, {"target_field": "CallType", "constant_choice": "Outbound"}
        )
        assert response.status_code == 302
        assert saved(owner.workspace)["CallType"] == "Outbound"

    def test_other_value_of_an_open_picklist_is_saved(self, owner_client, owner, connected):
        response, _ = self.post(
            owner_client,
            owner.workspace,
            {"target_field": "Priority", "constant_choice": OTHER_VALUE, "constant": "Urgent"},
        )
        assert response.status_code == 302
        assert saved(owner.workspace)["Priority"] == "Urgent"

    def test_a_restricted_picklist_still_refuses_a_crafted_other_value(self, owner_client, owner, connected):
        response, index = self.post(
            owner_client,
            owner.workspace,
            {"target_field": "CallType", "constant_choice": OTHER_VALUE, "constant": "Sideways"},
        )
        assert response.status_code == 400
        assert (
            "not an active value of this restricted picklist"
            in section_context(response)["formset"].forms[index].errors["constant"][0]
        )
        assert "CallType" not in saved(owner.workspace)
        widget = row_html(response, "CallType")
        assert widget.mode == "list" and widget.selected == ["Sideways"]  # shown, flagged, beside the error

    def test_without_js_a_value_typed_with_nothing_picked_is_used(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(call_url(ws))
        rows = task_rows(ws, "call")
        data = formset_data(PREFIX, rows, initial=len(rows))
        assert rows[0]["target_field"] == "Type"
        data.update({f"{PREFIX}-0-constant_choice": "", f"{PREFIX}-0-constant": "Webinar"})
        assert owner_client.post(call_url(ws), data).status_code == 302
        assert saved(ws)["Type"] == "Webinar"

    def test_picked_and_typed_is_refused_rather_than_guessed(self, owner_client, owner, connected):
        response, index = self.post(
            owner_client, owner.workspace, {"target_field": "Priority", "constant_choice": "High", "constant": "Urgent"}
        )
        assert response.status_code == 400
        assert (
            "You picked “High” and also typed “Urgent”"
            in section_context(response)["formset"].forms[index].errors["constant"][0]
        )
        assert "Priority" not in saved(owner.workspace)

    def test_multi_select_picklist_values_are_joined(self):
        describe = task_describe(
            extra=(sf_field("Topics__c", "multipicklist", length=255, restrictedPicklist=True, values=("A", "B", "C")),)
        )
        data = QueryDict(mutable=True)
        data.update({"row-target_field": "Topics__c", "row-source": "constant"})
        data.setlist("row-constant_choice", ["A", "C"])
        form = task_form(data, describe=describe)
        assert form.is_valid(), form.errors
        assert form.row()["value"] == "A;C"
        widget = ValueInputHtml(str(form["constant"]))
        assert widget.mode == "multi" and "multiple" in widget.select and widget.selected == ["A", "C"]


@pytest.mark.django_db
def test_creation_constant_picked_from_a_select_is_saved(owner_client, owner, connected):
    url = crm_url(owner.workspace, "lead/defaults/")
    owner_client.get(url)
    rows = [
        {"target_field": m.target_field, "source": m.source, "variable": m.value, "fallback": m.fallback}
        for m in CreationDefault.objects.filter(workspace=owner.workspace, sobject="Lead")
    ]
    data = formset_data("creation-lead", [*rows, {"target_field": "Status", "source": "constant"}], initial=len(rows))
    data[f"creation-lead-{len(rows)}-constant_choice"] = "Working - Contacted"
    assert owner_client.post(url, data).status_code == 302
    assert CreationDefault.objects.get(workspace=owner.workspace, sobject="Lead", target_field="Status").value == (
        "Working - Contacted"
    )
