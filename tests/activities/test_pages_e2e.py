"""What people do on the pages and through the API, end to end against the sandbox: fix a setting and retry the
dead letter, cancel, read the attempt history and counts, send events with an API key made in the app, demo data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from activities.models import Activity, JobAction, JobStatus, WritebackJob
from activities.services.ingest import events_ingest
from integrations.models import OAuthCredential
from mappings.models import CreationDefault
from tests.activities.conftest import activity_event
from tests.factories import MembershipFactory, UserFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


def later(hours: float = 3):
    return timezone.now() + timedelta(hours=hours)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _clear_faults(sandbox):
    yield
    sandbox.control.clear_faults()


class TestDeadLetter:
    def test_fix_the_setting_then_retry_all_failed_after_confirming(self, crm):
        crm.control.add_field(crm.org.org_id, "Contact", "Region__c", "string", required=True)
        crm.ingest([activity_event(1, rep=crm.rep)])
        base = f"/w/{crm.workspace.slug}/activity/"
        owner = client_for(crm.owner)
        html = owner.get(base).content.decode()
        # One activity (its prospect's find-or-create failed, and so did its Task): counted once, as an activity.
        assert 'data-testid="count-failed">1<' in html and 'data-testid="count-written">0<' in html
        assert "Region__c" in html and f'href="/w/{crm.workspace.slug}/settings/crm/defaults/Contact/"' in html

        CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Region__c",
                                       source="constant", value="EMEA")  # fmt: skip
        confirm = owner.get(f"{base}jobs/failed/retry/")
        assert confirm.status_code == 200 and "Yes, retry" in confirm.content.decode()
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.FAILED}  # not yet
        with crm.capture(execute=True):
            assert owner.post(f"{base}jobs/failed/retry/").status_code == 302

        (contact,) = crm.records("Contact")
        assert contact["Region__c"] == "EMEA" and contact["CreatedById"] == crm.rep_connection.remote_user_id
        assert len(crm.tasks()) == 1
        html = owner.get(base).content.decode()
        assert 'data-testid="count-failed">0<' in html and 'data-testid="count-written">1<' in html

    def test_cancel_from_the_history_page_means_never_written(self, crm):
        crm.control.fault(method="POST", path="/services/data/*/composite*", status=503, org=crm.org.org_id)
        crm.ingest([activity_event(1, rep=crm.rep)])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
        assert job.status == JobStatus.PENDING
        owner = client_for(crm.owner)
        detail = f"/w/{crm.workspace.slug}/activity/activities/{job.activity_id}/"
        url = f"/w/{crm.workspace.slug}/activity/jobs/{job.pk}/cancel/"
        page = owner.get(url, {"next": detail}).content.decode()
        assert "Yes, cancel" in page and f'value="{detail}"' in page
        assert owner.post(url, {"next": detail})["Location"] == detail
        crm.control.clear_faults()
        crm.drain(now=later(24))
        assert WritebackJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED
        assert crm.tasks() == []

    def test_next_cannot_send_people_to_another_site(self, crm):
        crm.control.fault(method="POST", path="/services/data/*/composite*", status=503, org=crm.org.org_id)
        crm.ingest([activity_event(1, rep=crm.rep)])
        job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
        url = f"/w/{crm.workspace.slug}/activity/jobs/{job.pk}/cancel/"
        owner = client_for(crm.owner)
        assert "evil.example" not in owner.get(url, {"next": "https://evil.example/"}).content.decode()
        response = owner.post(url, {"next": "https://evil.example/"})
        assert response["Location"] == f"/w/{crm.workspace.slug}/activity/"

    def test_admin_retry_confirms_then_writes(self, crm):
        crm.control.add_field(crm.org.org_id, "Contact", "Region__c", "string", required=True)
        crm.ingest([activity_event(1, rep=crm.rep)])
        CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Region__c",
                                       source="constant", value="EMEA")  # fmt: skip
        failed = list(WritebackJob.objects.filter(status=JobStatus.FAILED).values_list("pk", flat=True))
        admin = client_for(UserFactory(is_staff=True, is_superuser=True))
        data = {"action": "retry_jobs", "_selected_action": failed}
        page = admin.post("/admin/activities/writebackjob/", data)
        assert page.status_code == 200 and "Yes, retry" in page.content.decode()
        assert crm.tasks() == []
        with crm.capture(execute=True):
            admin.post("/admin/activities/writebackjob/", {**data, "post": "yes"})
        assert len(crm.tasks()) == 1
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


class TestHistoryAndCounts:
    def test_every_attempt_is_shown_without_secrets(self, crm):
        crm.control.fault(method="POST", path="/services/data/*/composite*", status=503, times=1, org=crm.org.org_id)
        crm.ingest([activity_event(1, rep=crm.rep)])
        crm.drain(now=later())
        activity = Activity.objects.get()
        html = client_for(crm.rep).get(f"/w/{crm.workspace.slug}/activity/activities/{activity.pk}/").content
        html = html.decode()
        task_job = WritebackJob.objects.get(action=JobAction.TASK_CREATE)
        section = html.split(f'data-testid="job-{task_job.pk}"')[1].split("</section>")[0]
        assert "Will retry" in section and "SERVER_UNAVAILABLE" in section and "503" in section
        assert "Succeeded" in section and "<code>POST /composite</code>" in section
        assert activity.salesforce_task_id and activity.salesforce_task_id in html
        credential = OAuthCredential.objects.get(connection=crm.rep_connection)
        assert credential.access_token not in html and credential.refresh_token not in html

    def test_counts_are_per_workspace(self, crm):
        crm.ingest([activity_event(1, rep=crm.rep)])
        other = MembershipFactory(role=Role.OWNER)
        rep = MembershipFactory(workspace=other.workspace, role=Role.REP)
        with crm.capture(execute=True):
            events_ingest(workspace=other.workspace, events=[activity_event(9, rep=rep.user)])  # no connection
        mine = client_for(crm.owner).get(f"/w/{crm.workspace.slug}/activity/").content.decode()
        assert 'data-testid="count-written">1<' in mine and 'data-testid="count-pending">0<' in mine
        theirs = client_for(other.user).get(f"/w/{other.workspace.slug}/activity/").content.decode()
        # No connection there: the prospect's find-or-create waits for a reconnect, and the call's Task with it.
        assert 'data-testid="count-written">0<' in theirs and 'data-testid="count-waiting">1<' in theirs
        assert "prospect1@example.org" not in theirs

    def test_admin_shows_counts_per_workspace(self, crm):
        crm.control.add_field(crm.org.org_id, "Contact", "Region__c", "string", required=True)
        crm.ingest([activity_event(1, rep=crm.rep)])  # fails: Region__c is required
        crm.control.load_records(crm.org.org_id, "Contact", [{"LastName": "Known", "Email": "known@example.org",
                                                              "Region__c": "EMEA"}])  # fmt: skip
        crm.ingest([activity_event(2, rep=crm.rep, email="known@example.org")])  # matched, written
        other = MembershipFactory(role=Role.OWNER)
        rep = MembershipFactory(workspace=other.workspace, role=Role.REP)
        with crm.capture(execute=True):
            events_ingest(workspace=other.workspace, events=[activity_event(9, rep=rep.user)])  # no connection
        admin = client_for(UserFactory(is_staff=True, is_superuser=True))
        html = admin.get("/admin/activities/writebackjob/").content.decode()
        mine = html.split(f'data-testid="workspace-counts-{crm.workspace.pk}">')[1].split("</tr>")[0]
        theirs = html.split(f'data-testid="workspace-counts-{other.workspace.pk}">')[1].split("</tr>")[0]
        assert re.findall(r">(\d+)</a>", mine) == ["0", "2", "2"], mine  # pending, failed, written
        assert re.findall(r">(\d+)</a>", theirs) == ["2", "0", "0"], theirs
        link = f"?workspace__id__exact={other.workspace.pk}&status__in=pending,running,waiting_reconnect,waiting_budget"
        page = admin.get(f"/admin/activities/writebackjob/{link}")
        assert page.status_code == 200 and "2 writeback jobs" in page.content.decode()


class TestApi:
    def _key(self, crm) -> str:
        html = client_for(crm.owner).post(f"/w/{crm.workspace.slug}/activity/api-keys/", {"name": "Tool"})
        return html.content.decode().split('data-testid="new-api-key">')[1].split("<code>")[1].split("</code>")[0]

    def test_event_sent_with_a_key_made_in_the_app_is_written_once(self, crm):
        raw = self._key(crm)
        api = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "evt-1"})
        body = json.dumps(activity_event(1, rep=crm.rep))
        with crm.capture(execute=True):
            first = api.post("/api/v1/events", data=body, content_type="application/json")
        with crm.capture(execute=True):
            again = api.post("/api/v1/events", data=body, content_type="application/json")
        assert first.status_code == again.status_code == 202 and again["Idempotent-Replayed"] == "true"
        (task,) = crm.tasks()
        status = api.get(f"/api/v1/activities/{first.json()['data']['id']}").json()["data"]
        assert status["status"] == "written" and status["salesforce_task_id"] == task["Id"]
        assert api.get("/api/v1/activities/999999").json()["error"]["code"] == "not_found"

    def test_batch_of_1000_is_all_or_nothing(self, crm):
        raw = self._key(crm)
        api = Client(headers={"Authorization": f"Bearer {raw}"})
        events = [activity_event(n, rep=crm.rep) for n in range(1000)]
        events[999]["prospect"] = {}
        response = api.post("/api/v1/events/batch", data=json.dumps(events), content_type="application/json")
        assert response.status_code == 400
        assert [(i["index"], i["field"]) for i in response.json()["error"]["items"]] == [(999, "prospect.email")]
        assert not Activity.objects.exists() and not WritebackJob.objects.exists()
        events[999] = activity_event(999, rep=crm.rep)
        with crm.capture(execute=False):
            response = api.post("/api/v1/events/batch", data=json.dumps(events), content_type="application/json")
        assert response.status_code == 202 and len(response.json()["data"]) == 1000
        assert Activity.objects.count() == 1000


class TestDemo:
    def test_demo_activity_reaches_salesforce_as_the_reps(self, crm):
        with crm.capture(execute=True):
            response = client_for(crm.owner).post(f"/w/{crm.workspace.slug}/activity/demo/")
        assert response.status_code == 302
        crm.drain()
        activities = Activity.objects.filter(workspace=crm.workspace)
        tasks = crm.tasks()
        assert activities.count() > 1 and len(tasks) == activities.count()
        reps = {crm.rep_connection.remote_user_id, crm.rep2_connection.remote_user_id}
        assert {t["OwnerId"] for t in tasks} <= reps
        assert crm.records("Contact") and crm.records("Opportunity") == []
        statuses = set(WritebackJob.objects.values_list("status", flat=True))
        assert statuses <= {JobStatus.SUCCEEDED, JobStatus.SKIPPED}, statuses
