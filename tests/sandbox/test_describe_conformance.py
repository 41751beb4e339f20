"""The generated describes against the recorded Salesforce describes in ../shared/fixtures/salesforce/.

The sandbox must run without those recordings; these tests read them at test time and skip when absent.
Recorded ``__c`` fields are org-specific: the test adds them to its org through the control API and then
compares them like the standard ones (except ``custom``, which the recording itself reports as false).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# SHARED_DIR points elsewhere (as in tests/mappings/describes.py), e.g. at a missing folder to see the skips.
SHARED = Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
FIXTURES = SHARED / "fixtures" / "salesforce" / "describe"
CUSTOM_FIELD_ORG_KEYS = {"custom", "defaultedOnCreate", "permissionable"}
# Keys newer API versions add to the object describe (Account.json was recorded on v48).
VERSION_ADDED_KEYS = {"associateEntityType", "associateParentEntity", "sobjectDescribeOption"}
ORG_SPECIFIC_FIELDS = {"RecordTypeId"}  # present only in orgs with record types; still in our schema
# Values that depend on the recording org's features: ours must be a part of them. Event.WhatId can point at every
# Field Service object that org had enabled; the recorded time zones are Salesforce's full list, ours a few.
ORG_SPECIFIC_SUBSETS = {("Event", "WhatId"): "referenceTo", ("Event", "RecurrenceTimeZoneSidKey"): "picklistValues"}
# Global.json's "Event" entry is a copy of its "Lead" entry (keyPrefix null, mergeable true, Lead's url keys) and
# contradicts the recorded Event describe, so Event's global entry is checked against Event.json instead.
GLOBAL_FROM_DESCRIBE = {"Event"}


def _recording(name: str) -> dict:
    path = FIXTURES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"../shared/fixtures not present: {path} (recorded describes are read at test time only)")
    return json.loads(path.read_text())


def _custom_field_spec(f: dict) -> dict:
    spec = {"name": f["name"], "type": f["type"], "label": f["label"]}
    if f["type"] in ("string", "textarea"):
        spec["length"] = f["length"]
    if f["referenceTo"]:
        spec["reference_to"] = f["referenceTo"]
        spec["relationship_name"] = f["relationshipName"]
    if not f["nillable"] and f["type"] != "boolean":
        spec["required"] = True
    return spec


@pytest.fixture
def describe(sandbox, sandbox_org, api):
    def run(name: str) -> tuple[dict, dict]:
        recorded = _recording(name)
        custom = [_custom_field_spec(f) for f in recorded["fields"] if f["name"].endswith("__c")]
        if custom:
            sandbox.control.add_fields(sandbox_org.org_id, name, custom)
        resp = api.get(f"sobjects/{name}/describe")
        assert resp.status_code == 200, resp.text
        return recorded, resp.json()

    return run


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead", "Event"])
def test_top_level_keys_match(describe, name):
    recorded, ours = describe(name)
    assert set(recorded) <= set(ours)
    assert set(ours) - set(recorded) <= VERSION_ADDED_KEYS
    for key in (
        "name",
        "label",
        "labelPlural",
        "keyPrefix",
        "createable",
        "updateable",
        "deletable",
        "queryable",
        "custom",
        "mergeable",
        "layoutable",
        "searchable",
        "triggerable",
        "undeletable",
        "feedEnabled",
    ):
        if recorded[key] is not None:
            assert ours[key] == recorded[key], key
    scalars = {k for k, v in recorded.items() if not isinstance(v, list | dict)}
    assert {k: ours[k] for k in scalars} == {k: recorded[k] for k in scalars}  # every scalar key, not only those
    assert ours["supportedScopes"] == recorded["supportedScopes"]
    # "defaultValues" is listed only in orgs with record types (the Account recording's org has them).
    assert set(recorded["urls"]) - set(ours["urls"]) <= {"defaultValues"}
    assert set(ours["urls"]) <= set(recorded["urls"])
    assert set(ours["recordTypeInfos"][0]) == set(recorded["recordTypeInfos"][0])


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead", "Event"])
def test_every_recorded_field_is_served_with_the_same_attributes(describe, name):
    recorded, ours = describe(name)
    served = {f["name"]: f for f in ours["fields"]}
    mismatches = []
    for rec in recorded["fields"]:
        mine = served.get(rec["name"])
        assert mine is not None, f"{name}.{rec['name']} missing from the generated describe"
        assert set(mine) == set(rec), f"{name}.{rec['name']}: key sets differ: {set(mine) ^ set(rec)}"
        # Standard fields: every key. Recorded __c fields come from the recording org's own setup (its "custom"
        # reads false; a managed-package lookup is defaulted and not permissionable), so those three are skipped.
        keys = rec if not rec["name"].endswith("__c") else set(rec) - CUSTOM_FIELD_ORG_KEYS
        for key in keys:
            subset_key = ORG_SPECIFIC_SUBSETS.get((name, rec["name"]))
            if key == subset_key:
                values = [v["value"] if isinstance(v, dict) else v for v in mine[key]]
                recorded_values = [v["value"] if isinstance(v, dict) else v for v in rec[key]]
                if not values or set(values) - set(recorded_values):
                    mismatches.append(f"{name}.{rec['name']}.{key}: {set(values) - set(recorded_values)} not recorded")
                continue
            if mine[key] != rec[key]:
                mismatches.append(f"{name}.{rec['name']}.{key}: ours={mine[key]!r} recorded={rec[key]!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead", "Event"])
def test_child_relationships_have_the_recorded_shape(describe, name):
    recorded, ours = describe(name)
    keys = set(recorded["childRelationships"][0])
    recorded_pairs = {(c["childSObject"], c["field"]): c for c in recorded["childRelationships"]}
    assert ours["childRelationships"], "no child relationships generated"
    shared = 0
    for child in ours["childRelationships"]:
        assert set(child) == keys
        rec = recorded_pairs.get((child["childSObject"], child["field"]))
        if rec is not None:
            shared += 1
            assert child["relationshipName"] == rec["relationshipName"], child
            assert child["cascadeDelete"] == rec["cascadeDelete"], child
    assert shared >= 1


def test_global_describe_entries_match_the_recorded_shape(api):
    recorded = _recording("Global")
    ours = api.get("sobjects").json()
    assert set(ours) == set(recorded)
    assert ours["encoding"] == recorded["encoding"] and ours["maxBatchSize"] == recorded["maxBatchSize"]
    rec_by_name = {s["name"]: s for s in recorded["sobjects"]}
    names = {s["name"] for s in ours["sobjects"]}
    assert {"Account", "Contact", "Lead", "Task", "Opportunity", "Case", "User"} <= names
    for entry in ours["sobjects"]:
        rec = rec_by_name.get(entry["name"])
        assert set(entry) == set(recorded["sobjects"][0]), entry["name"]
        if entry["name"] in GLOBAL_FROM_DESCRIBE:
            described = _recording(entry["name"])
            assert {k: entry[k] for k in entry if k != "urls"} == {k: described[k] for k in entry if k != "urls"}
            continue
        if rec is None:
            continue
        for key in (
            "label",
            "labelPlural",
            "createable",
            "updateable",
            "deletable",
            "queryable",
            "custom",
            "mergeable",
            "deepCloneable",
            "undeletable",
            "layoutable",
        ):
            assert entry[key] == rec[key], (entry["name"], key)
        if rec["keyPrefix"] is not None:
            assert entry["keyPrefix"] == rec["keyPrefix"]
        differing = {k for k, v in rec.items() if k != "urls" and v is not None and entry[k] != v}
        assert not differing, (entry["name"], differing)  # every key, not only the ones named above
        recorded_version = rec["urls"]["sobject"].split("/")[3]  # "v52.0"
        expected_urls = {k: v.replace(f"/{recorded_version}/", "/v62.0/") for k, v in rec["urls"].items()}
        assert entry["urls"] == expected_urls, entry["name"]


@pytest.mark.parametrize("name", ["Task", "Opportunity", "Case", "User", "Organization", "RecordType"])
def test_built_objects_use_the_recorded_key_sets(api, name):
    recorded = _recording("Contact")
    ours = api.get(f"sobjects/{name}/describe").json()
    assert set(ours) == set(recorded)
    field_keys = set(recorded["fields"][0])
    for f in ours["fields"]:
        assert set(f) == field_keys, f["name"]
        for pv in f["picklistValues"]:
            assert set(pv) == set(recorded["fields"][6]["picklistValues"][0])


def test_task_describe_has_the_activity_fields(api):
    fields = {f["name"]: f for f in api.get("sobjects/Task/describe").json()["fields"]}
    for name in (
        "WhoId",
        "WhatId",
        "OwnerId",
        "Subject",
        "Status",
        "Priority",
        "ActivityDate",
        "Description",
        "TaskSubtype",
        "Type",
        "CallDurationInSeconds",
        "CallType",
        "CallDisposition",
        "CallObject",
        "CompletedDateTime",
        "IsClosed",
        "AccountId",
        "SystemModstamp",
    ):
        assert name in fields, name
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"] and fields["WhoId"]["polymorphicForeignKey"]
    assert fields["Subject"]["type"] == "combobox"
    assert [v["value"] for v in fields["Type"]["picklistValues"]] == [
        "Call",
        "Email",
        "Meeting",
        "LinkedIn",
        "SMS",
        "Other",
    ]
    assert [v["value"] for v in fields["Status"]["picklistValues"]] == [
        "Not Started",
        "In Progress",
        "Completed",
        "Waiting on someone else",
        "Deferred",
    ]
    assert fields["TaskSubtype"]["createable"] and not fields["TaskSubtype"]["updateable"]
    assert not fields["IsClosed"]["createable"] and not fields["AccountId"]["updateable"]


def test_custom_fields_added_through_the_control_api_appear_in_describe(sandbox, sandbox_org, api):
    sandbox.control.add_fields(
        sandbox_org.org_id,
        "Lead",
        [
            {"name": "sb_activeinsequence__c", "type": "boolean"},
            {"name": "sb_sequencedby__c", "type": "reference", "reference_to": "User"},
            {"name": "sb_stage__c", "type": "picklist", "values": ["One", "Two"], "restricted": True},
        ],
    )
    fields = {f["name"]: f for f in api.get("sobjects/Lead/describe").json()["fields"]}
    assert fields["sb_activeinsequence__c"]["custom"] is True
    assert fields["sb_activeinsequence__c"]["defaultValue"] is False
    assert fields["sb_sequencedby__c"]["relationshipName"] == "sb_sequencedby__r"
    assert fields["sb_stage__c"]["restrictedPicklist"] is True
    bad = api.post("sobjects/Lead", json={"LastName": "A", "Company": "B", "sb_stage__c": "Three"})
    assert bad.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_describe_honours_if_modified_since(sandbox, sandbox_org, api):
    first = api.get("sobjects/Contact/describe")
    stamp = first.headers["Last-Modified"]
    assert api.get("sobjects/Contact/describe", headers={"If-Modified-Since": stamp}).status_code == 304
