"""Demo seeding (in-process and through ``manage.py sandbox_seed``) and ``--state`` persistence."""

import datetime as dt

import pytest
import requests
from django.core.management import CommandError, call_command

from sandbox import seed
from sandbox.state import State
from sandbox.testing import SandboxServer


def test_demo_org_has_known_users_fields_and_data():
    state = State()
    org = seed.ensure_demo_org(state, accounts=20, contacts=100, leads=50)
    assert seed.ensure_demo_org(state) is org  # created once
    assert org.app.consumer_key == seed.DEMO_CONSUMER_KEY
    users = {u.username: u for u in org.users.values()}
    assert users["admin@demo.sandbox"].password == "demo-admin-1"
    assert {"rep1@demo.sandbox", "rep2@demo.sandbox"} <= set(users)
    assert {len(org.records[s]) for s in ("Account", "Contact", "Lead")} == {20, 100, 50}
    assert "sb_activeinsequence__c" in org.schema["Lead"].fields
    assert "sb_sequencedby__c" in org.schema["Contact"].fields
    assert org.schema["Task"].fields["sb_sequencestepname__c"].length == 64
    # The SMS opt-out checkbox the setup checklist recommends, on both prospect objects.
    assert {org.schema[s].fields["sb_sms_opt_out__c"].type for s in ("Contact", "Lead")} == {"boolean"}
    contact = next(iter(org.records["Contact"].values()))
    assert contact["AccountId"] in org.records["Account"]
    assert "@" in contact["Email"] and contact["Name"] == f"{contact['FirstName']} {contact['LastName']}"


def test_demo_org_has_its_own_custom_fields_to_sync_and_filter_on():
    state = State()
    seed.ensure_demo_org(state, accounts=40, contacts=80, leads=40)
    with SandboxServer(state=state) as server:  # as `manage.py sandbox --seed-demo` serves it
        sf = server.control.get_org(seed.DEMO_ORG).simple_salesforce()
        describe = {f["name"]: f for f in sf.Account.describe()["fields"]}
        assert [v["value"] for v in describe["Tier__c"]["picklistValues"]][0] == "Strategic"
        assert describe["Renewal_Date__c"]["type"] == "date"
        count = lambda soql: sf.query(soql)["totalSize"]  # noqa: E731
        assert 0 < count("SELECT COUNT() FROM Account WHERE Tier__c = 'Strategic'") < 40
        assert count("SELECT COUNT() FROM Account WHERE Tier__c = null") < 40
        assert count("SELECT COUNT() FROM Account WHERE Renewal_Date__c > 2000-01-01") > 0
        assert 0 < count("SELECT COUNT() FROM Lead WHERE Lead_Score__c >= 50") < 40
        assert 0 < count("SELECT COUNT() FROM Contact WHERE Persona__c IN ('Champion', 'End user')") < 80


def test_demo_org_without_recommended_fields():
    org = seed.ensure_demo_org(State(), custom_fields=False, accounts=1, contacts=1, leads=1)
    assert not [f for f in org.schema["Lead"].fields if f.startswith("sb_")]


def test_generation_is_deterministic():
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)

    def rows(seed_value):
        captured = []

        def load(sobject, fields, values):
            captured.append((sobject, fields, values))
            return [f"id{i}" for i in range(len(values))]

        seed.seed_org(load, accounts=5, contacts=10, leads=5, seed=seed_value, now=now)
        return captured

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_sandbox_seed_command_against_a_running_sandbox(sandbox):
    call_command(
        "sandbox_seed", "--org", "demo", "--accounts", "5", "--contacts", "20", "--leads", "7", "--url", sandbox.url
    )
    try:
        demo = sandbox.control.get_org("demo")
        assert demo.raw["objects"]["Account"] == 5 and demo.raw["objects"]["Contact"] == 20
        assert demo.admin_user.username == "admin@demo.sandbox"
        call_command(
            "sandbox_seed", "--org", "demo", "--accounts", "1", "--contacts", "0", "--leads", "0", "--url", sandbox.url
        )
        assert sandbox.control.get_org("demo").raw["objects"]["Account"] == 6
        with pytest.raises(CommandError):
            call_command("sandbox_seed", "--org", "no-such-org", "--url", sandbox.url)
    finally:
        sandbox.control.delete_org("demo")


def test_state_file_roundtrip(tmp_path):
    path = str(tmp_path / "sandbox.state")
    call_command("sandbox_seed", "--org", "demo", "--accounts", "3", "--contacts", "4", "--leads", "5", "--state", path)
    state = State.load(path)
    demo = state.org("demo")
    assert len(demo.records["Lead"]) == 5
    stored = set(demo.records["Contact"])
    with SandboxServer(state=state) as server:
        org = server.control.get_org("demo")
        tokens = org.token(org.admin_user)
        resp = requests.get(
            f"{server.url}/services/data/v62.0/query",
            params={"q": "SELECT COUNT() FROM Contact"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=10,
        )
        assert resp.json()["totalSize"] == 4
        # New ids after a reload never collide with stored ones.
        new_id = server.control.load_records("demo", "Contact", [{"LastName": "After reload"}])[0]
        assert new_id not in stored and len(demo.records["Contact"]) == 5
