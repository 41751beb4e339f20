"""The events API: keys, validation errors per item, all-or-nothing batches, idempotency."""

from __future__ import annotations

import pytest
from django.test import Client

from activities.models import Activity, ApiKey, IdempotencyRecord, Prospect, WritebackJob
from activities.services.keys import api_key_revoke
from tests.activities.conftest import api_post as post

pytestmark = pytest.mark.django_db


def event(rep, n=1, **overrides):
    data = {"type": "activity", "id": f"a{n}", "kind": "email_sent", "state": "completed", "user": rep.email,
            "prospect": {"email": f"p{n}@example.org", "first_name": "P", "last_name": str(n)},
            "email": {"subject": "Hello", "body_excerpt": "Hi there"}}  # fmt: skip
    data.update(overrides)
    return data


class TestAuth:
    def test_missing_or_revoked_key_is_401(self, team):
        workspace, rep, key, raw = team
        assert post("nope", "/api/v1/events", event(rep)).status_code == 401
        api_key_revoke(key=key)
        response = post(raw, "/api/v1/events", event(rep))
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"

    def test_key_is_stored_hashed(self, team):
        workspace, rep, key, raw = team
        stored = ApiKey.objects.get()
        assert raw not in (stored.key_hash, stored.prefix) and raw.startswith(stored.prefix)


class TestEvents:
    def test_valid_event_is_accepted_with_ids(self, team, django_capture_on_commit_callbacks):
        workspace, rep, key, raw = team
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = post(raw, "/api/v1/events", event(rep))
        assert response.status_code == 202
        data = response.json()["data"]
        activity = Activity.objects.get()
        assert data["id"] == activity.pk and data["type"] == "activity"
        assert activity.subject == "Hello" and activity.body_excerpt == "Hi there"
        assert set(WritebackJob.objects.values_list("action", flat=True)) == {"prospect_sync", "task_create"}
        assert len(callbacks) == 1  # the worker is woken only once the transaction commits

    def test_invalid_items_are_listed_and_nothing_is_stored(self, team):
        workspace, rep, key, raw = team
        bad = event(rep, 2, kind="fax", prospect={"email": "not-an-email"})
        stranger = event(rep, 3, user="stranger@example.org")
        response = post(raw, "/api/v1/events/batch", {"events": [event(rep, 1), bad, stranger]})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_events"
        found = {(i["index"], i["field"], i["code"]) for i in error["items"]}
        assert {(1, "kind", "invalid_choice"), (1, "prospect.email", "invalid_email"),
                (2, "user", "unknown_user")} <= found  # fmt: skip
        assert not Activity.objects.exists() and not Prospect.objects.exists()

    def test_batch_limit(self, team):
        workspace, rep, key, raw = team
        response = post(raw, "/api/v1/events:batch", [event(rep, n) for n in range(1001)])
        assert response.status_code == 400 and response.json()["error"]["code"] == "batch_too_large"

    def test_batch_of_many_is_one_transaction(self, team, django_capture_on_commit_callbacks):
        workspace, rep, key, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            response = post(raw, "/api/v1/events/batch", [event(rep, n) for n in range(50)])
        assert response.status_code == 202 and len(response.json()["data"]) == 50
        assert Activity.objects.count() == 50

    def test_idempotency_key_replays_and_refuses_other_body(self, team, django_capture_on_commit_callbacks):
        workspace, rep, key, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            first = post(raw, "/api/v1/events", event(rep), **{"Idempotency-Key": "k1"})
            again = post(raw, "/api/v1/events", event(rep), **{"Idempotency-Key": "k1"})
            other = post(raw, "/api/v1/events", event(rep, 2), **{"Idempotency-Key": "k1"})
        assert first.status_code == again.status_code == 202
        assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
        assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
        assert Activity.objects.count() == 1 and IdempotencyRecord.objects.count() == 1

    def test_status_endpoint(self, team, django_capture_on_commit_callbacks):
        workspace, rep, key, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            activity_id = post(raw, "/api/v1/events", event(rep)).json()["data"]["id"]
        response = Client().get(f"/api/v1/activities/{activity_id}", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200
        assert response.json()["data"]["status"] == "pending"

    def test_other_event_types(self, team, django_capture_on_commit_callbacks):
        workspace, rep, key, raw = team
        events = [
            {"type": "prospect", "prospect": {"email": "x@example.org", "linkedin_url": "https://linkedin.com/in/x",
                                              "company": {"name": "X", "linkedin_url": "https://linkedin.com/company/x"}}},
            {"type": "enrollment", "event": "enrolled", "user": rep.email, "prospect": {"email": "x@example.org"},
             "sequence": {"name": "Seq", "step": "1"}},
            {"type": "opt_out", "prospect": {"email": "x@example.org"}},
        ]  # fmt: skip
        with django_capture_on_commit_callbacks(execute=False):
            response = post(raw, "/api/v1/events/batch", events)
        assert response.status_code == 202, response.json()
        assert [d["type"] for d in response.json()["data"]] == ["prospect", "enrollment", "opt_out"]
        assert Prospect.objects.get().company_linkedin_url == "https://linkedin.com/company/x"
