"""The events API at its edges: hostile or broken input, sizes, unknown paths and methods, and refused events.

Whatever arrives, the caller gets JSON in the API's error shape, never a Django HTML page, and a refused
event leaves nothing behind.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from activities.models import Activity, Prospect
from tests.activities.conftest import api_post as post

pytestmark = pytest.mark.django_db


def post_raw(raw: str, path: str, body: bytes | str):
    return Client().generic("POST", path, data=body, content_type="application/json",
                            headers={"Authorization": f"Bearer {raw}"})  # fmt: skip


def event(rep, n=1, **overrides):
    data = {"type": "activity", "id": f"a{n}", "kind": "call", "state": "completed", "user": rep.email,
            "prospect": {"email": f"p{n}@example.org", "first_name": "P", "last_name": str(n)},
            "call": {"duration_seconds": 60}}  # fmt: skip
    data.update(overrides)
    return data


class TestRefusedEventsStoreNothing:
    def test_a_duplicate_event_id_leaves_no_prospect(self, team, django_capture_on_commit_callbacks):
        workspace, rep, _key, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            first = post(raw, "/api/v1/events", event(rep))
            again = post(raw, "/api/v1/events", event(rep, prospect={"email": "someone.else@example.org"}))
        assert first.status_code == again.status_code == 202
        assert again.json()["data"]["duplicate"] is True
        assert again.json()["data"]["prospect_id"] == first.json()["data"]["prospect_id"]
        assert list(Prospect.objects.values_list("email", flat=True)) == ["p1@example.org"]
        assert Activity.objects.count() == 1

    def test_a_duplicate_within_one_batch_leaves_no_prospect(self, team, django_capture_on_commit_callbacks):
        workspace, rep, _key, raw = team
        batch = [event(rep), event(rep, prospect={"email": "other@example.org"})]
        with django_capture_on_commit_callbacks(execute=False):
            response = post(raw, "/api/v1/events/batch", batch)
        assert response.status_code == 202 and response.json()["data"][1]["duplicate"] is True
        assert not Prospect.objects.filter(email="other@example.org").exists()


def assert_api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def assert_item(response, field: str, code: str) -> None:
    error = assert_api_error(response, 400, "invalid_events")
    assert (field, code) in {(i["field"], i["code"]) for i in error["items"]}, error["items"]
    assert not Activity.objects.exists() and not Prospect.objects.exists()


class TestBadInputIsA400:
    def test_duration_beyond_any_call(self, team):
        workspace, rep, _key, raw = team
        response = post(raw, "/api/v1/events", event(rep, call={"duration_seconds": 2**63}))
        assert_item(response, "call.duration_seconds", "out_of_range")

    @pytest.mark.parametrize("when", ["2024-02-30T10:00:00Z", "2024-13-01T10:00:00Z", "2024-01-01T25:00:00Z",
                                      "2024-01-01T10:00:00+25:00"])  # fmt: skip
    def test_impossible_dates(self, team, when):
        workspace, rep, _key, raw = team
        response = post(raw, "/api/v1/events", event(rep, started_at=when))
        assert_item(response, "started_at", "invalid_datetime")

    def test_dates_outside_any_sensible_year(self, team):
        workspace, rep, _key, raw = team
        response = post(raw, "/api/v1/events", event(rep, started_at="0001-01-01T00:00:00+01:00"))
        assert_item(response, "started_at", "out_of_range")

    def test_a_time_without_offset_is_taken_as_utc(self, team, django_capture_on_commit_callbacks):
        workspace, rep, _key, raw = team
        with django_capture_on_commit_callbacks(execute=False):
            response = post(raw, "/api/v1/events", event(rep, started_at="2024-03-01T10:00:00"))
        assert response.status_code == 202, response.content[:300]
        assert Activity.objects.get().started_at.isoformat() == "2024-03-01T10:00:00+00:00"

    def test_a_nul_character_in_an_action_is_a_400_not_a_500(self, team):
        # Actions keep their input in jsonb, where PostgreSQL cannot store NUL; schemathesis found the 500.
        workspace, rep, key, raw = team
        key.scopes = [*key.scopes, "records:read"]
        key.save()
        response = post_raw(raw, "/api/v1/actions/query_records", '{"object": "Account", "fields": ["Id\\u0000"]}')
        assert response.status_code == 400, response.content[:300]
        assert "NUL" in response.content.decode()

    def test_json_nested_ten_thousand_deep(self, team):
        workspace, rep, _key, raw = team
        response = post_raw(raw, "/api/v1/events", '{"a":' * 10_000 + "1" + "}" * 10_000)
        assert_api_error(response, 400, "json_too_deep")
        response = post_raw(raw, "/api/v1/events/batch", "[" * 200 + "]" * 200)  # parses, still not events
        assert_api_error(response, 400, "json_too_deep")

    @pytest.mark.parametrize("text", ["\\ud800", "a\\udfffb", "nul\\u0000"])
    def test_lone_surrogates_and_nul(self, team, text):
        workspace, rep, _key, raw = team
        body = json.dumps(event(rep, subject="PLACEHOLDER")).replace("PLACEHOLDER", text)
        response = post_raw(raw, "/api/v1/events", body)
        assert_item(response, "subject", "invalid_characters")

    def test_a_surrogate_sent_as_raw_bytes(self, team):
        workspace, rep, _key, raw = team
        body = json.dumps(event(rep, subject="PLACEHOLDER")).encode().replace(b"PLACEHOLDER", b"\xed\xa0\x80")
        assert_item(post_raw(raw, "/api/v1/events", body), "subject", "invalid_characters")

    def test_invalid_utf8_and_broken_json(self, team):
        workspace, rep, _key, raw = team
        assert_api_error(post_raw(raw, "/api/v1/events", b'{"subject": "\xc3\x28"}'), 400, "invalid_json")
        assert_api_error(post_raw(raw, "/api/v1/events", '{"type": '), 400, "invalid_json")


class TestSizes:
    def test_a_full_batch_of_typical_events_is_accepted(self, team, django_capture_on_commit_callbacks):
        # About 3.3 MB: over Django's 2.5 MB default, which answered this valid batch with an HTML 400.
        workspace, rep, _key, raw = team
        notes = "Talked through pricing and the rollout plan. " * 70
        batch = [event(rep, n, state="open", prospect={"email": "one@example.org"}, notes=notes) for n in range(1000)]
        body = json.dumps({"events": batch})
        assert len(body) > 3_200_000
        with django_capture_on_commit_callbacks(execute=False):
            response = post_raw(raw, "/api/v1/events/batch", body)
        assert response.status_code == 202, response.content[:300]
        assert Activity.objects.count() == 1000

    def test_the_body_limit_fits_the_largest_valid_batch(self):
        from activities.api.framework import MAX_BODY_BYTES
        from activities.services.validation import MAX_BATCH, MAX_EVENT_BYTES

        assert MAX_BODY_BYTES >= MAX_BATCH * MAX_EVENT_BYTES
        with open("README.md") as readme:
            assert f"{MAX_BODY_BYTES:,} bytes" in readme.read()  # documented

    def test_a_body_over_the_limit_is_a_json_413(self, team, monkeypatch):
        workspace, rep, _key, raw = team
        monkeypatch.setattr("activities.api.framework.MAX_BODY_BYTES", 10_000)
        response = post(raw, "/api/v1/events/batch", [event(rep, n) for n in range(100)])
        assert_api_error(response, 413, "payload_too_large")
        assert not Activity.objects.exists()

    def test_one_event_over_the_event_limit_is_named(self, team):
        workspace, rep, _key, raw = team
        big = event(rep, 2, notes="x" * 32_000, email={"body_excerpt": "y" * 32_000, "subject": "z" * 2000})
        response = post(raw, "/api/v1/events/batch", [event(rep, 1), big])
        error = assert_api_error(response, 400, "invalid_events")
        assert {(i["index"], i["code"]) for i in error["items"]} == {(1, "event_too_large")}


class TestEveryAnswerIsJson:
    @pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/events/", "/api/v2/events", "/api/", "/api"])
    def test_unknown_paths(self, team, path):
        workspace, rep, _key, raw = team
        assert_api_error(post(raw, path, event(rep)), 404, "not_found")
        assert_api_error(Client().get(path), 404, "not_found")

    def test_wrong_methods(self, team):
        workspace, rep, _key, raw = team
        response = Client().get("/api/v1/events", headers={"Authorization": f"Bearer {raw}"})
        assert_api_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "POST"
        response = Client().delete("/api/v1/activities/1", headers={"Authorization": f"Bearer {raw}"})
        assert_api_error(response, 405, "method_not_allowed")

    def test_a_server_error_says_honestly_what_is_known(self, team, monkeypatch):
        workspace, rep, _key, raw = team

        def broken(**kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr("activities.api.views.events_ingest", broken)
        response = Client(raise_request_exception=False).post(
            "/api/v1/events", data=json.dumps(event(rep)), content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )  # fmt: skip
        error = assert_api_error(response, 500, "server_error")
        assert "was lost" not in error["message"] and "may or may not have been stored" in error["message"]
