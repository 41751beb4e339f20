"""Forms on their own, against describe dicts (the real Contact/Lead shapes and a stock Task)."""

import pytest

from mappings.forms.advanced import AdvancedForm
from mappings.forms.creation import creation_formset
from mappings.forms.opt_out import OptOutForm
from mappings.forms.sequence import SequenceMappingForm
from mappings.forms.task import task_mapping_formset
from mappings.models import CrmSettings, SequenceFieldMapping, TaskFieldMapping
from tests.mappings.conftest import formset_data
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe


def task_formset(rows, describe=None, saved=()):
    data = formset_data("task-call", rows, initial=len(saved))
    return task_mapping_formset(
        data, kind="call", task_describe=describe or task_describe(sb_fields=True), mappings=list(saved), readonly=False
    )


def test_valid_rows_come_back_canonical_and_in_order():
    formset = task_formset([
        {"target_field": "SB_RECORDINGURL__C", "source": "variable", "variable": "recording_url"},
        {"target_field": "Type", "source": "constant", "constant": "  Call  "},
        {"target_field": "", "source": "variable"},  # untouched blank row
    ])  # fmt: skip
    assert formset.is_valid(), formset.errors
    assert formset.rows() == [
        {"target_field": "sb_recordingurl__c", "source": "variable", "value": "recording_url"},
        {"target_field": "Type", "source": "constant", "value": "Call"},
    ]


def test_target_choices_leave_out_reserved_and_read_only_fields():
    formset = task_mapping_formset(
        kind="call", task_describe=task_describe(sb_fields=True), mappings=[], readonly=False
    )
    offered = {value for value, _ in formset.forms[0].fields["target_field"].widget.choices}
    assert {"Type", "CallType", "sb_recordingurl__c"} <= offered
    assert not offered & {"WhoId", "WhatId", "OwnerId", "Status", "ActivityDate", "IsClosed", "CompletedDateTime"}


def test_options_tell_the_page_which_variables_each_field_takes():
    import json
    import re

    formset = task_mapping_formset(
        kind="call", task_describe=task_describe(sb_fields=True), mappings=[], readonly=False
    )
    html = str(formset.forms[0]["target_field"]) + str(formset.forms[0]["variable"])
    accepts = {
        name: json.loads(kinds.replace("&quot;", '"'))
        for name, kinds in re.findall(r'<option value="([^"]+)" data-type="[^"]*" data-accepts="([^"]*)"', html)
    }
    assert "url" in accepts["sb_recordingurl__c"]
    assert "number" not in accepts["sb_recordingurl__c"]
    assert accepts["CallDurationInSeconds"] == ["number"]
    # A restricted picklist takes a fixed value, or our text through value translations into its values.
    assert accepts["CallType"] == ["text"]
    assert '<option value="recording_url" data-kind="url">' in html


def test_duplicate_is_caught_case_insensitively():
    formset = task_formset([
        {"target_field": "Type", "source": "constant", "constant": "Call"},
        {"target_field": "type", "source": "constant", "constant": "Email"},
    ])  # fmt: skip
    assert not formset.is_valid()
    assert "already mapped in row 1" in formset.forms[1].errors["target_field"][0]


def test_unchanged_saved_rows_are_kept():
    saved = [TaskFieldMapping(target_field="Type", source="constant", value="Call")]
    formset = task_formset([{"target_field": "Type", "source": "constant", "constant": "Call"}], saved=saved)
    assert formset.is_valid()
    assert formset.rows() == [{"target_field": "Type", "source": "constant", "value": "Call"}]


def test_without_metadata_values_are_not_typed_but_still_required():
    formset = task_mapping_formset(
        formset_data("task-call", [{"target_field": "X__c", "source": "constant", "constant": ""}], initial=0),
        kind="call", task_describe=None, mappings=[], readonly=False,
    )  # fmt: skip
    assert not formset.is_valid()
    assert formset.forms[0].errors["constant"] == ["Enter a value."]


@pytest.fixture
def contact():
    return shared_describe("Contact", extra=sb_prospect_fields())


def test_sequence_form_offers_only_updateable_fields_of_the_right_kind(contact):
    form = SequenceMappingForm(sobject="Contact", describe=contact, mappings=[], readonly=False)
    active = {v for v, _ in form.fields["active"].widget.choices}
    by = {v for v, _ in form.fields["sequenced_by"].widget.choices}
    assert "sb_activeinsequence__c" in active and "IsEmailBounced" not in active  # read-only checkbox
    assert by == {"", "sb_sequencedby__c"}  # OwnerId is a User lookup too, but ownership is not ours to change


def test_sequence_form_flags_drift(contact):
    mapping = SequenceFieldMapping(sobject="Contact", purpose="name", target_field="Gone__c")
    form = SequenceMappingForm(sobject="Contact", describe=contact, mappings=[mapping], readonly=True)
    assert {f.name: reason for f, reason in form.field_rows()}["name"].startswith("This field no longer exists")


def test_opt_out_form_none_is_valid(contact):
    form = OptOutForm({"contact_field": ""}, sobject="Contact", describe=contact, current=None, readonly=False)
    assert form.is_valid()
    assert form.rows() == [{"sobject": "Contact", "target_field": None}]


def test_creation_required_field_needs_a_row():
    lead = shared_describe("Lead")
    rows = [{"target_field": "LastName", "source": "constant", "constant": "Doe"}]
    formset = creation_formset(
        formset_data("creation-lead", rows, initial=0), sobject="Lead", describe=lead, mappings=[], readonly=False
    )
    assert not formset.is_valid()
    assert "Company" in formset.non_form_errors()[0]


def test_creation_restricted_picklist_on_a_real_describe():
    lead = shared_describe("Lead", extra=(sf_field("Tier__c", "picklist", restrictedPicklist=True, values=("A", "B")),))
    rows = [
        {"target_field": "LastName", "source": "constant", "constant": "Doe"},
        {"target_field": "Company", "source": "constant", "constant": "Acme"},
        {"target_field": "Tier__c", "source": "constant", "constant": "C"},
    ]
    formset = creation_formset(
        formset_data("creation-lead", rows, initial=0), sobject="Lead", describe=lead, mappings=[], readonly=False
    )
    assert not formset.is_valid()
    assert "restricted picklist" in formset.forms[2].errors["constant"][0]


def test_advanced_form_keeps_linkedin_field_without_metadata():
    crm = CrmSettings(linkedin_url_field_contact="LinkedIn_URL__c")
    data = {
        "log_mode": "all",
        "new_prospect_as": "contact",
        "api_budget_percent": "80",
        "linkedin_url_field_contact": "X",
    }
    form = AdvancedForm(data, crm=crm, describes={"Contact": None, "Lead": None}, readonly=False)
    assert form.is_valid()
    assert form.cleaned_data["linkedin_url_field_contact"] == "LinkedIn_URL__c"  # disabled: the posted value is ignored
