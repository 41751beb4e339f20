"""Fixtures for inbound sync tests: a workspace whose admin connection points at a fresh sandbox org."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from integrations.models import Connection, ConnectionKind, OAuthCredential
from integrations.types import ProviderSlug
from sync.models import SyncSettings
from tests.factories import MembershipFactory
from workspaces.models import Role


@pytest.fixture
def admin_membership(db):
    return MembershipFactory(role=Role.ADMIN, workspace__name="Sync Team", workspace__slug="sync-team")


@pytest.fixture
def workspace(admin_membership):
    return admin_membership.workspace


@pytest.fixture
def sf_connection(workspace, sandbox_org):
    token = sandbox_org.token()
    connection = Connection.objects.create(
        workspace=workspace,
        provider=ProviderSlug.SALESFORCE,
        kind=ConnectionKind.ADMIN,
        login_url=sandbox_org.login_url,
        instance_url=token.get("instance_url") or sandbox_org.instance_url,
        org_id=sandbox_org.org_id[:18],
        remote_username=sandbox_org.admin_user.username,
    )
    OAuthCredential.objects.create(
        connection=connection,
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        client_id=sandbox_org.consumer_key,
        client_secret=sandbox_org.consumer_secret,
    )
    SyncSettings.objects.create(workspace=workspace, overlap_minutes=10)
    return connection


@pytest.fixture
def org_control(sandbox, sandbox_org):
    """(control client, org id) for loading records, faults and permissions."""
    return sandbox.control, sandbox_org.org_id


def sf_stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def minutes_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=n)
