"""API keys carry scopes chosen at creation; a request outside them is a 403 in the API's error shape."""

from __future__ import annotations

import pytest
from django.test import Client

from activities.models import ApiKey
from activities.services.keys import api_key_authenticate, api_key_create
from tests.activities.conftest import api_post
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


def test_a_key_without_events_write_may_not_send_events(owner):
    _, raw = api_key_create(workspace=owner.workspace, name="agent", created_by=owner.user, scopes=["actions:write"])
    response = api_post(raw, "/api/v1/events", {"type": "prospect", "prospect": {"email": "a@example.org"}})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope" and "events:write" in error["message"]


def test_the_scope_is_checked_before_the_body_is_read(owner, monkeypatch):
    _, raw = api_key_create(workspace=owner.workspace, name="agent", created_by=owner.user, scopes=["records:read"])
    monkeypatch.setattr("activities.api.framework.MAX_BODY_BYTES", 10)
    response = api_post(raw, "/api/v1/events/batch", {"events": []})
    assert response.status_code == 403


def test_keys_default_to_events_write_and_unknown_scopes_are_refused(owner):
    key, _ = api_key_create(workspace=owner.workspace, name="dialer", created_by=owner.user)
    assert key.scopes == ["events:write"]
    with pytest.raises(ValueError):
        api_key_create(workspace=owner.workspace, name="x", created_by=owner.user, scopes=["admin:all"])


def test_the_admin_chooses_scopes_on_the_key_page(owner):
    client = Client()
    client.force_login(owner.user)
    url = f"/w/{owner.workspace.slug}/activity/api-keys/"
    page = client.get(url).content.decode()
    assert 'value="actions:write"' in page and 'value="scores:write"' in page
    html = client.post(url, {"name": "Notes agent", "scopes": ["actions:write", "records:read"]}).content.decode()
    raw = html.split('data-testid="new-api-key">')[1].split("<code>")[1].split("</code>")[0]
    assert api_key_authenticate(raw=raw).scopes == ["actions:write", "records:read"]
    assert "<code>actions:write</code>" in client.get(url).content.decode()
    assert ApiKey.objects.get().scopes == ["actions:write", "records:read"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_keys_events_write():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("activities", "0006_match_review_create_new")])
    old_apps = executor.loader.project_state([("activities", "0006_match_review_create_new")]).apps
    workspace = old_apps.get_model("workspaces", "Workspace").objects.create(name="Old", slug="old")
    old_apps.get_model("activities", "ApiKey").objects.create(
        workspace=workspace, name="old", prefix="sbk_x", key_hash="h" * 64
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert ApiKey.objects.get(name="old").scopes == ["events:write"]


def test_head_and_wrong_methods_answer_json(owner):
    _, raw = api_key_create(workspace=owner.workspace, name="dialer", created_by=owner.user)
    response = Client().head("/api/v1/activities/999", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404
    response = Client().put("/api/v1/events/batch", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
