"""Fixtures for the writeback engine: a workspace with an admin and two reps connected to a sandbox org."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from activities.services.ingest import events_ingest
from activities.services.keys import api_key_create
from activities.services.writeback.drain import writeback_drain_due
from tests.factories import MembershipFactory
from workspaces.models import Role


@dataclass
class Crm:
    workspace: object
    owner: object
    rep: object
    rep2: object
    org: object
    control: object
    admin_connection: object
    rep_connection: object
    rep2_connection: object
    capture: object

    def ingest(self, events: list[dict]):
        """Store events and run the on-commit wake-ups (django-q2 runs tasks inline in tests)."""
        with self.capture(execute=True):
            return events_ingest(workspace=self.workspace, events=events)

    def drain(self, *, now=None) -> int:
        return writeback_drain_due(now=now, inline=True)

    def records(self, sobject: str, *, include_deleted: bool = False) -> list[dict]:
        return self.control.records(self.org.org_id, sobject, include_deleted=include_deleted)

    def tasks(self) -> list[dict]:
        return self.records("Task")


@pytest.fixture
def crm(db, salesforce_connect, sandbox, sandbox_org, django_capture_on_commit_callbacks) -> Crm:
    owner = MembershipFactory(role=Role.OWNER)
    workspace = owner.workspace
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    rep2 = MembershipFactory(workspace=workspace, role=Role.REP)
    admin_connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
    sf_reps = [u for u in sandbox_org.users if u.role == "rep"]
    rep_connection = salesforce_connect(workspace, rep.user, sandbox_org, sandbox_user=sf_reps[0])
    rep2_connection = salesforce_connect(workspace, rep2.user, sandbox_org, sandbox_user=sf_reps[1])
    return Crm(
        workspace=workspace,
        owner=owner.user,
        rep=rep.user,
        rep2=rep2.user,
        org=sandbox_org,
        control=sandbox.control,
        admin_connection=admin_connection,
        rep_connection=rep_connection,
        rep2_connection=rep2_connection,
        capture=django_capture_on_commit_callbacks,
    )


def activity_event(n: int, *, rep, email: str | None = None, state: str = "completed", kind: str = "call", **extra):
    email = email or f"prospect{n}@example.org"
    event = {
        "type": "activity",
        "id": f"act-{n}",
        "kind": kind,
        "state": state,
        "user": rep.email,
        "prospect": {
            "email": email,
            "first_name": f"Pat{n}",
            "last_name": f"Prospect{n}",
            "company": {"name": f"Company {n % 3}"},
        },
        "subject": f"Touch {n}",
        "started_at": "2026-05-01T10:00:00Z",
    }
    if kind == "call":
        event["call"] = {"disposition": "Connected", "duration_seconds": 120, "number_dialed": "+15551234567"}
    event.update(extra)
    return event


@pytest.fixture
def team():
    """A workspace with a rep and an events API key: (workspace, rep user, key, raw key)."""
    owner = MembershipFactory(role=Role.OWNER)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    key, raw = api_key_create(workspace=owner.workspace, name="engagement tool", created_by=owner.user)
    return owner.workspace, rep.user, key, raw


def api_post(raw: str, path: str, body, **headers):
    """POST `body` as JSON with the API key, as an engagement tool does."""
    return Client().post(path, data=json.dumps(body), content_type="application/json",
                         headers={"Authorization": f"Bearer {raw}", **headers})  # fmt: skip
