"""Concurrent event posts are all stored: on the embedded default (SQLite) never a 500 "database is locked", and two
requests creating the same new prospect at once both succeed (one meets the other's row and runs again), instead of
one being refused with a 409 that a dialer would not retry."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import IntegrityError

from activities.api import views
from activities.models import Activity, Prospect
from activities.services.keys import api_key_create
from tests.activities.conftest import api_post
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POSTS = 20


def _event(rep_email: str, n: int) -> dict:
    # Half the posts touch one prospect, so requests read and then write the same rows at the same moment.
    email = "shared@example.org" if n % 2 else f"p{n}@example.org"
    return {"type": "activity", "id": f"c{n}", "kind": "email_sent", "state": "completed", "user": rep_email,
            "prospect": {"email": email, "first_name": "P", "last_name": str(n)},
            "email": {"subject": "Hello", "body_excerpt": "Hi"}}  # fmt: skip


def test_twenty_concurrent_event_posts_are_all_stored(live_server):
    owner = MembershipFactory(role=Role.OWNER)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    _, raw = api_key_create(workspace=owner.workspace, name="dialer", created_by=owner.user)

    def post(n: int) -> int:
        batch = {"events": [_event(rep.user.email, n * 10 + i) for i in range(10)]}
        headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
        url = f"{live_server.url}/api/v1/events/batch"
        return requests.post(url, data=json.dumps(batch), timeout=60, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=POSTS) as pool:
        statuses = list(pool.map(post, range(POSTS)))

    assert statuses == [202] * POSTS, statuses
    assert Activity.objects.count() == 10 * POSTS
    assert Prospect.objects.filter(workspace=owner.workspace, email="shared@example.org").count() == 1


@pytest.mark.django_db
def test_a_request_that_meets_a_concurrent_requests_new_prospect_is_stored_not_refused(team, monkeypatch):
    """The race, made certain: the first try meets the row another request just committed (IntegrityError)."""
    workspace, rep, _, raw = team
    real, tries = views.events_ingest, []

    def ingest_after_a_collision(**kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise IntegrityError(
                "UNIQUE constraint failed: activities_prospect.workspace_id, activities_prospect.email"
            )
        return real(**kwargs)

    monkeypatch.setattr(views, "events_ingest", ingest_after_a_collision)
    resp = api_post(raw, "/api/v1/events", _event(rep.email, 1), **{"Idempotency-Key": "call-1"})
    assert resp.status_code == 202, resp.content
    assert len(tries) == 2 and Activity.objects.filter(workspace=workspace).count() == 1
    again = api_post(raw, "/api/v1/events", _event(rep.email, 1), **{"Idempotency-Key": "call-1"})
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert Activity.objects.filter(workspace=workspace).count() == 1
