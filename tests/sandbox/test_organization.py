"""The Organization sObject: one row per org whose Id is the org id, read the way products learn the org's name."""

from __future__ import annotations

import pickle

from sandbox.schema.organization import EDITION_NAMES
from sandbox.state import EDITIONS, State


def test_soql_on_organization_returns_the_org_itself(sandbox_org, api):
    resp = api.query("SELECT Id, Name, OrganizationType, IsSandbox, InstanceName FROM Organization")

    assert resp.status_code == 200, resp.text
    [row] = resp.json()["records"]
    assert row["Id"] == sandbox_org.org_id
    assert row["Name"] == sandbox_org.name
    assert row["OrganizationType"] == sandbox_org.raw["edition"]
    assert row["IsSandbox"] is False and row["InstanceName"]


def test_a_rep_reads_it_too_and_edition_and_sandbox_flag_follow_the_org_settings(sandbox, sandbox_org, rep_api):
    sandbox.control.settings(sandbox_org.org_id, edition="Enterprise Edition", is_sandbox=True)

    [row] = rep_api.query("SELECT Name, OrganizationType, IsSandbox FROM Organization").json()["records"]

    assert (row["Name"], row["OrganizationType"], row["IsSandbox"]) == (sandbox_org.name, "Enterprise Edition", True)
    assert rep_api.get(f"sobjects/Organization/{sandbox_org.org_id}").json()["Name"] == sandbox_org.name


def test_it_cannot_be_created_or_deleted_through_the_api(sandbox_org, api):
    created = api.post("sobjects/Organization", json={})
    deleted = api.delete(f"sobjects/Organization/{sandbox_org.org_id}")

    assert created.status_code == 400 and created.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert deleted.status_code == 400 and deleted.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    assert api.query("SELECT COUNT() FROM Organization").json()["totalSize"] == 1
    bad = api.patch(f"sobjects/Organization/{sandbox_org.org_id}", json={"OrganizationType": "Unlimited Edition"})
    assert bad.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_describe_is_shaped_like_the_other_built_objects(api):
    described = api.get("sobjects/Organization/describe").json()
    contact = api.get("sobjects/Contact/describe").json()

    assert set(described) == set(contact)
    assert set(described["fields"][0]) == set(contact["fields"][0])
    assert (described["keyPrefix"], described["createable"], described["deletable"]) == ("00D", False, False)
    assert described["queryable"] and described["updateable"]
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["OrganizationType"]["type"] == "picklist" and not fields["OrganizationType"]["updateable"]
    assert fields["IsSandbox"]["type"] == "boolean" and fields["Name"]["length"] == 80
    assert {v["value"] for v in fields["OrganizationType"]["picklistValues"]} == set(EDITIONS) == set(EDITION_NAMES)


def test_state_saved_before_organization_existed_gains_it_on_load(sandbox, sandbox_org, tmp_path):
    state = sandbox.app.state
    path = tmp_path / "old.state"
    with state.lock:
        old = pickle.loads(pickle.dumps(state))
    org = old.orgs[sandbox_org.org_id]
    del org.schema["Organization"], org.records["Organization"], org.deleted_at["Organization"]
    old.save(str(path))

    loaded = State.load(str(path)).orgs[sandbox_org.org_id]

    assert loaded.records["Organization"][sandbox_org.org_id]["Name"] == sandbox_org.name
