"""The events API's activity kinds: the README's `linkedin_connection_request` and the stored `linkedin_connection`
are one kind, so an engagement tool that followed either spelling is accepted."""

from __future__ import annotations

import pytest

from activities.models import Activity, WritebackJob
from tests.activities.conftest import api_post as post

pytestmark = pytest.mark.django_db


def linkedin(rep, n: int, kind: str) -> dict:
    return {"type": "activity", "id": f"li{n}", "kind": kind, "state": "completed", "user": rep.email,
            "prospect": {"email": f"p{n}@example.org", "first_name": "P", "last_name": str(n)}}  # fmt: skip


@pytest.mark.parametrize("kind", ["linkedin_connection_request", "linkedin_connection", " linkedin_connection_request"])
def test_both_spellings_of_the_connection_request_are_one_kind(team, kind, django_capture_on_commit_callbacks):
    workspace, rep, key, raw = team
    with django_capture_on_commit_callbacks(execute=False):
        response = post(raw, "/api/v1/events", linkedin(rep, 1, kind))
    assert response.status_code == 202, response.json()
    activity = Activity.objects.get()
    assert activity.kind == "linkedin_connection"
    assert activity.get_kind_display() == "LinkedIn connection request"
    assert WritebackJob.objects.filter(activity=activity, action="task_create").exists()


@pytest.mark.parametrize("kind", ["linkedin_connect", ["linkedin_connection_request"], {"a": 1}])
def test_other_kinds_are_still_refused_by_name(team, kind):
    workspace, rep, key, raw = team
    response = post(raw, "/api/v1/events", linkedin(rep, 2, kind))
    assert response.status_code == 400
    items = response.json()["error"]["items"]
    assert [i["field"] for i in items] == ["kind"]
    assert not Activity.objects.exists()
