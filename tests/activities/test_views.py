"""Activity pages, API key pages and the admin actions: confirm first, then act through services."""

from __future__ import annotations

import pytest
from django.test import Client

from activities.models import ApiKey, JobAction, JobStatus, WritebackAttempt, WritebackJob
from activities.services.ingest import events_ingest
from activities.services.keys import api_key_authenticate
from tests.factories import MembershipFactory, UserFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(django_capture_on_commit_callbacks):
    owner = MembershipFactory(role=Role.OWNER)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    event = {"type": "activity", "id": "a1", "kind": "call", "state": "completed", "user": rep.user.email,
             "prospect": {"email": "pat@example.org", "first_name": "Pat", "last_name": "Doe"}}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        events_ingest(workspace=owner.workspace, events=[event])
    job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
    WritebackJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        attempts=1,
        last_error_code="REQUIRED_FIELD_MISSING",
        last_error_message="Salesforce requires Region__c on Task.",
        fix_url="/w/x/settings/crm/tasks/call/",
    )
    WritebackAttempt.objects.create(job=job, number=1, started_at=job.created_at, request="POST /composite",
                                    status_code=200, outcome="failed", error_code="REQUIRED_FIELD_MISSING")  # fmt: skip
    return owner, rep, job


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestActivityPages:
    def test_home_shows_counts_and_failed_jobs(self, team):
        owner, rep, job = team
        page = client_for(owner.user).get(f"/w/{owner.workspace.slug}/activity/")
        html = page.content.decode()
        assert page.status_code == 200
        # Counted in activities: the one call failed; its prospect's find-or-create is a write, counted apart.
        assert 'data-testid="count-total">1<' in html and 'data-testid="count-failed">1<' in html
        assert 'data-testid="count-pending">0<' in html and "Find or create prospect: 0 written, 1 pending" in html
        assert "Salesforce requires Region__c on Task." in html and "Fix the setting" in html
        assert f"/activity/failures/{job.pk}/retry/" in html

    def test_retry_asks_first_then_requeues(self, team, django_capture_on_commit_callbacks):
        owner, rep, job = team
        client = client_for(owner.user)
        url = f"/w/{owner.workspace.slug}/activity/jobs/{job.pk}/retry/"
        page = client.get(url)
        assert page.status_code == 200 and "Yes, retry" in page.content.decode()
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.FAILED
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(url)
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.status == JobStatus.PENDING and job.attempts == 0
        assert len(callbacks) == 1

    def test_cancel_and_bulk(self, team):
        owner, rep, job = team
        client = client_for(owner.user)
        assert client.get(f"/w/{owner.workspace.slug}/activity/jobs/failed/cancel/").status_code == 200
        client.post(f"/w/{owner.workspace.slug}/activity/jobs/failed/cancel/")
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED

    def test_reps_cannot_retry(self, team):
        owner, rep, job = team
        assert client_for(rep.user).post(f"/w/{owner.workspace.slug}/activity/jobs/{job.pk}/retry/").status_code == 403

    def test_history_shows_every_attempt(self, team):
        owner, rep, job = team
        html = client_for(rep.user).get(f"/w/{owner.workspace.slug}/activity/activities/{job.activity_id}/").content
        html = html.decode()
        assert "POST /composite" in html and "REQUIRED_FIELD_MISSING" in html and "Find or create prospect" in html

    def test_other_workspaces_are_invisible(self, team):
        owner, rep, job = team
        stranger = MembershipFactory(role=Role.OWNER)
        response = client_for(stranger.user).get(f"/w/{stranger.workspace.slug}/activity/activities/{job.activity_id}/")
        assert response.status_code == 404

    def test_demo_generator_queues_realistic_events(self, team, django_capture_on_commit_callbacks):
        owner, rep, job = team
        with django_capture_on_commit_callbacks(execute=False):
            response = client_for(owner.user).post(f"/w/{owner.workspace.slug}/activity/demo/")
        assert response.status_code == 302
        assert WritebackJob.objects.filter(action=JobAction.SEQUENCE_UPDATE).exists()
        assert WritebackJob.objects.filter(action=JobAction.TASK_CREATE).count() > 1


class TestApiKeyPages:
    def test_create_shows_key_once_then_revoke_after_confirm(self, team):
        owner, rep, job = team
        client = client_for(owner.user)
        url = f"/w/{owner.workspace.slug}/activity/api-keys/"
        html = client.post(url, {"name": "Outreach prod"}).content.decode()
        raw = html.split('data-testid="new-api-key">')[1].split("<code>")[1].split("</code>")[0]
        assert api_key_authenticate(raw=raw) is not None
        assert raw not in client.get(url).content.decode()
        key = ApiKey.objects.get()
        revoke = f"{url}{key.pk}/revoke/"
        assert "Yes, revoke" in client.get(revoke).content.decode()
        client.post(revoke)
        assert api_key_authenticate(raw=raw) is None

    def test_reps_cannot_manage_keys(self, team):
        owner, rep, job = team
        assert client_for(rep.user).get(f"/w/{owner.workspace.slug}/activity/api-keys/").status_code == 403


class TestAdminActions:
    def test_retry_action_confirms_first(self, team):
        owner, rep, job = team
        admin = UserFactory(is_staff=True, is_superuser=True)
        client = client_for(admin)
        data = {"action": "retry_jobs", "_selected_action": [job.pk]}
        page = client.post("/admin/activities/writebackjob/", data)
        assert page.status_code == 200 and "Yes, retry" in page.content.decode()
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.FAILED
        client.post("/admin/activities/writebackjob/", {**data, "post": "yes"})
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.PENDING

    def test_admin_pages_render(self, team):
        owner, rep, job = team
        client = client_for(UserFactory(is_staff=True, is_superuser=True))
        for url in ("/admin/activities/writebackjob/", f"/admin/activities/writebackjob/{job.pk}/change/",
                    f"/admin/activities/activity/{job.activity_id}/change/", "/admin/activities/prospect/",
                    "/admin/activities/apikey/", "/admin/activities/writebackattempt/"):  # fmt: skip
            assert client.get(url).status_code == 200, url


def test_demo_command(team, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    owner, rep, job = team
    with django_capture_on_commit_callbacks(execute=False):
        call_command("demo_activity", "--workspace", owner.workspace.slug, "--prospects", "3")
    assert WritebackJob.objects.filter(action=JobAction.SEQUENCE_UPDATE).count() >= 3


def test_paused_writes_are_listed_once_per_rep_with_the_reason(team):
    owner, rep, _ = team
    WritebackJob.objects.filter(workspace=owner.workspace).update(
        status=JobStatus.WAITING_RECONNECT, last_error_message=f"{rep.user.email} has not connected Salesforce yet."
    )
    waiting = WritebackJob.objects.filter(workspace=owner.workspace).count()
    assert waiting > 1

    html = client_for(rep.user).get(f"/w/{owner.workspace.slug}/activity/").content.decode()
    section = html[html.index('data-testid="paused-writes"') :].split("</section>")[0]
    assert section.count("<li>") == 1
    assert f"{waiting} writes</strong> by {rep.user.email}" in section
    assert "has not connected Salesforce yet." in section
    assert "Connect your Salesforce user" in section  # the rep can fix it themselves
