"""An automation's view of a workspace: a connected sandbox org with an Account, a Contact, a Lead and an
Opportunity, and an API key that may run every action."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from activities.services.keys import api_key_create
from tests.activities.conftest import crm  # noqa: F401  (the connected workspace)

ALL_SCOPES = ["actions:write", "events:write", "records:read", "scores:write"]


@dataclass
class Agent:
    crm: object
    raw: str
    key: object
    account_id: str
    contact_id: str
    lead_id: str
    opportunity_id: str

    def post(self, path: str, body, **headers):
        return Client().post(
            path,
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.raw}", **headers},
        )

    def act(self, name: str, body: dict, **headers):
        return self.post(f"/api/v1/actions/{name}", body, **headers)

    def get(self, path: str):
        return Client().get(path, headers={"Authorization": f"Bearer {self.raw}"})

    def records(self, sobject: str) -> list[dict]:
        return self.crm.control.records(self.crm.org.org_id, sobject, include_deleted=False)

    def record(self, sobject: str, record_id: str) -> dict:
        return next(r for r in self.records(sobject) if r["Id"] == record_id)

    def fault(self, **spec):
        return self.crm.control.fault(org=self.crm.org.org_id, **spec)


@pytest.fixture
def agent(crm) -> Agent:  # noqa: F811
    control, org = crm.control, crm.org.org_id
    key, raw = api_key_create(workspace=crm.workspace, name="notes agent", created_by=crm.owner, scopes=ALL_SCOPES)
    [account_id] = control.load_records(org, "Account", [{"Name": "Globex"}])
    [contact_id] = control.load_records(
        org,
        "Contact",
        [{"LastName": "Ito", "FirstName": "Dana", "AccountId": account_id, "Email": "dana@globex.example"}],
    )
    [lead_id] = control.load_records(org, "Lead", [{"LastName": "Lead", "Company": "Initech"}])
    [opportunity_id] = control.load_records(
        org,
        "Opportunity",
        [{"Name": "Globex renewal", "AccountId": account_id, "StageName": "Prospecting", "CloseDate": "2026-09-30"}],
    )
    return Agent(crm, raw, key, account_id, contact_id, lead_id, opportunity_id)
