"""The events API at its edges: hostile or broken input, sizes, unknown paths and methods, and refused events.

Whatever arrives, the caller gets JSON in the API's error shape, never a Django HTML page, and a refused
event leaves nothing behind.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from activities.models import Activity, Prospect
from activities.services.keys import api_key_create
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    owner = MembershipFactory(role=Role.OWNER)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    key, raw = api_key_create(workspace=owner.workspace, name="engagement tool", created_by=owner.user)
    return owner.workspace, rep.user, raw


def post_raw(raw: str, path: str, body: bytes | str):
    return Client().generic("POST", path, data=body, content_type="application/json",
                            headers={"Authorization": f"Bearer {raw}"})  # fmt: skip


def post(raw: str, path: str, body):
    return post_raw(raw, path, json.dumps(body))


def event(rep, n=1, **overrides):
    data = {"type": "activity", "id": f"a{n}", "kind": "call", "state": "completed", "user": rep.email,
            "prospect": {"email": f"p{n}@example.org", "first_name": "P", "last_name": str(n)},
            "call": {"duration_seconds": 60}}  # fmt: skip
    data.update(overrides)
    return data


class TestRefusedEventsStoreNothing:
    def test_a_duplicate_event_id_leaves_no_prospect(self, team, django_capture_on_commit_callbacks):
        workspace, rep, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            first = post(raw, "/api/v1/events", event(rep))
            again = post(raw, "/api/v1/events", event(rep, prospect={"email": "someone.else@example.org"}))
        assert first.status_code == again.status_code == 202
        assert again.json()["data"]["duplicate"] is True
        assert again.json()["data"]["prospect_id"] == first.json()["data"]["prospect_id"]
        assert list(Prospect.objects.values_list("email", flat=True)) == ["p1@example.org"]
        assert Activity.objects.count() == 1

    def test_a_duplicate_within_one_batch_leaves_no_prospect(self, team, django_capture_on_commit_callbacks):
        workspace, rep, raw = team
        batch = [event(rep), event(rep, prospect={"email": "other@example.org"})]
        with django_capture_on_commit_callbacks(execute=False):
            response = post(raw, "/api/v1/events/batch", batch)
        assert response.status_code == 202 and response.json()["data"][1]["duplicate"] is True
        assert not Prospect.objects.filter(email="other@example.org").exists()
