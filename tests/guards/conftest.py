"""Two workspaces side by side for the guard suites: A (the prober) and B (the target, with one row of every kind
a URL can name, and an admin connection to a sandbox org made by the real OAuth flow)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from activities.services.keys import api_key_create
from tests.factories import MembershipFactory
from tests.guards.factories import (
    ActionRunFactory,
    ActivityFactory,
    FailedJobFactory,
    InvitationFactory,
    SettingsChangeFactory,
    SyncRunFactory,
)
from workspaces.models import Role

ALL_SCOPES = ("actions:write", "events:write", "records:read", "scores:write")


@dataclass
class Tenant:
    workspace: object
    owner: object
    rep: object
    objects: dict
    """Rows of this workspace by the name URL fillers use: activity, prospect, job, api_key, ..."""
    keys: dict
    """Raw API keys by scope (and "all")."""

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


def _keys(workspace, owner) -> dict:
    keys = {}
    for scope in ALL_SCOPES:
        keys[scope] = api_key_create(workspace=workspace, name=f"only {scope}", created_by=owner, scopes=[scope])[1]
    keys["all"] = api_key_create(workspace=workspace, name="everything", created_by=owner, scopes=ALL_SCOPES)[1]
    return keys


@pytest.fixture
def tenant_a(db) -> Tenant:
    owner = MembershipFactory(role=Role.OWNER)
    workspace = owner.workspace
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    return Tenant(workspace, owner.user, rep.user, {}, _keys(workspace, owner.user))


@pytest.fixture
def tenant_b(db, salesforce_connection) -> Tenant:
    connection = salesforce_connection
    workspace, owner = connection.workspace, connection.connected_by
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    job = FailedJobFactory(workspace=workspace, activity__user=rep.user)
    key, _raw = api_key_create(workspace=workspace, name="B's key", created_by=owner)
    objects = {
        "connection": connection,
        "activity": job.activity,
        "prospect": job.prospect,
        "job": job,
        "api_key": key,
        "membership": rep,
        "invitation": InvitationFactory(workspace=workspace, invited_by=owner),
        "action_run": ActionRunFactory(workspace=workspace, api_key=key),
        "sync_run": SyncRunFactory(connection=connection, status="running"),
        "settings_change": SettingsChangeFactory(workspace=workspace, actor=owner),
    }
    ActivityFactory(workspace=workspace, prospect=job.prospect, user=rep.user)
    return Tenant(workspace, owner, rep.user, objects, _keys(workspace, owner))
