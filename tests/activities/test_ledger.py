"""The ledger without Salesforce: claiming with leases and per-prospect order, backoff, redaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import JobAction, JobStatus, Prospect, WritebackJob
from activities.services.ledger import backoff_delay
from activities.services.writeback.claim import groups_due, jobs_claim
from activities.services.writeback.recorder import secrets_strip
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_reps():
    a = MembershipFactory()
    b = MembershipFactory(workspace=a.workspace)
    prospect = Prospect.objects.create(workspace=a.workspace, email="p@example.org")
    return a.workspace, a.user, b.user, prospect


def job(workspace, user, prospect, n, **fields):
    fields.setdefault("next_attempt_at", timezone.now() - timedelta(seconds=1))
    return WritebackJob.objects.create(workspace=workspace, user=user, prospect=prospect,
                                       action=JobAction.PROSPECT_SYNC, idempotency_key=f"k{n}", **fields)  # fmt: skip


class TestClaim:
    def test_claims_due_jobs_once_with_a_lease(self, two_reps):
        workspace, a, b, prospect = two_reps
        first = job(workspace, a, prospect, 1)
        claimed = jobs_claim(workspace_id=workspace.pk, user_id=a.pk)
        assert [j.pk for j in claimed] == [first.pk]
        first.refresh_from_db()
        assert first.status == JobStatus.RUNNING and first.attempts == 1 and first.lease_until > timezone.now()
        assert jobs_claim(workspace_id=workspace.pk, user_id=a.pk) == []  # a live lease is never taken twice

    def test_stalled_job_is_claimed_again_after_its_lease(self, two_reps):
        workspace, a, b, prospect = two_reps
        stalled = job(workspace, a, prospect, 1, status=JobStatus.RUNNING, attempts=1,
                      lease_until=timezone.now() - timedelta(seconds=1))  # fmt: skip
        assert groups_due() == [(workspace.pk, a.pk)]
        (claimed,) = jobs_claim(workspace_id=workspace.pk, user_id=a.pk)
        assert claimed.pk == stalled.pk and claimed.attempts == 2

    def test_later_job_waits_for_an_earlier_one_of_the_same_prospect(self, two_reps):
        workspace, a, b, prospect = two_reps
        earlier = job(workspace, b, prospect, 1, next_attempt_at=timezone.now() + timedelta(minutes=5))
        later = job(workspace, a, prospect, 2)
        assert jobs_claim(workspace_id=workspace.pk, user_id=a.pk) == []
        WritebackJob.objects.filter(pk=earlier.pk).update(status=JobStatus.FAILED)  # failed jobs do not block
        assert [j.pk for j in jobs_claim(workspace_id=workspace.pk, user_id=a.pk)] == [later.pk]

    def test_not_due_is_not_claimed(self, two_reps):
        workspace, a, b, prospect = two_reps
        job(workspace, a, prospect, 1, next_attempt_at=timezone.now() + timedelta(minutes=1))
        assert jobs_claim(workspace_id=workspace.pk, user_id=a.pk) == []


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.WRITEBACK_BACKOFF_BASE_S = 10
    settings.WRITEBACK_BACKOFF_CAP_S = 100
    for attempts, top in ((1, 10), (2, 20), (3, 40), (4, 80), (9, 100)):
        delays = {backoff_delay(attempts).total_seconds() for _ in range(20)}
        assert all(top / 2 <= d <= top for d in delays) and len(delays) > 1
    assert backoff_delay(1, retry_after=300).total_seconds() == 300


def test_secrets_are_stripped_from_excerpts():
    text = (
        'Authorization: Bearer 00Dabc!AR8.secret {"access_token": "xyz", "refresh_token": "abc"} 00D8d000000AbCd!AQ.tok'
    )
    cleaned = secrets_strip(text)
    for secret in ("AR8.secret", "xyz", '"abc"', "AQ.tok"):
        assert secret not in cleaned
