"""Prospects whose Salesforce record a person must choose: held ones (several records match) and the ones the old
name-only rule matched (marked once on upgrade). Candidates are stored so the Activity page can offer them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activities.models import JobStatus, MatchCandidate, MatchedBy, MatchReview, Prospect, WritebackJob
from activities.services.writeback.prospects import Candidate, Match, match_apply


def review_hold(prospect: Prospect, candidates: list[Candidate]) -> None:
    """Hold the prospect: its jobs wait (see outcomes.settle_held) until match_choose; the candidates are kept."""
    with transaction.atomic():
        MatchCandidate.objects.filter(prospect=prospect).delete()  # the org may have changed since the last hold
        MatchCandidate.objects.bulk_create(
            MatchCandidate(
                prospect=prospect,
                remote_id=c.id,
                sobject=c.type,
                rule=c.rule,
                label=c.label[:255],
                account=c.account[:255],
                account_id=c.account_id,
            )  # fmt: skip
            for c in candidates
        )
        Prospect.objects.filter(pk=prospect.pk).update(review=MatchReview.HELD, updated_at=timezone.now())
    prospect.review = MatchReview.HELD


def _wake(prospect: Prospect) -> int:
    from activities.services.writeback.enqueue import writeback_enqueue_on_commit

    ids = list(
        WritebackJob.objects.filter(prospect=prospect, status=JobStatus.WAITING_REVIEW).values_list("id", flat=True)
    )
    now = timezone.now()
    count = WritebackJob.objects.filter(pk__in=ids, status=JobStatus.WAITING_REVIEW).update(
        status=JobStatus.PENDING, next_attempt_at=now, last_error_code="", last_error_message="", updated_at=now
    )
    if count:
        writeback_enqueue_on_commit(job_ids=ids)
    return count


def match_choose(*, prospect: Prospect, candidate: MatchCandidate) -> int:
    """An admin chose this record: the prospect is placed on it and its waiting jobs go now. Returns jobs woken."""
    if candidate.prospect_id != prospect.pk:
        raise ValueError("The candidate belongs to another prospect.")
    with transaction.atomic():
        prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
        account_id = candidate.account_id if candidate.sobject == "Contact" else ""
        match_apply(prospect, Match(candidate.remote_id, candidate.sobject, MatchedBy.CHOSEN, account_id))
        Prospect.objects.filter(pk=prospect.pk).update(review=MatchReview.NONE)
        MatchCandidate.objects.filter(prospect=prospect).delete()
        return _wake(prospect)


def match_create_new(*, prospect: Prospect) -> int:
    """None of the held prospect's candidates is this person: create a new record for them on the next write."""
    with transaction.atomic():
        prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
        if prospect.review != MatchReview.HELD:
            raise ValueError("Only a held prospect waits for this choice.")
        Prospect.objects.filter(pk=prospect.pk).update(review=MatchReview.CREATE_NEW, updated_at=timezone.now())
        MatchCandidate.objects.filter(prospect=prospect).delete()
        return _wake(prospect)


def match_forget(*, prospect: Prospect) -> int:
    """The old name-only match was wrong: forget it, so the next write finds the prospect again by today's rules."""
    with transaction.atomic():
        prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
        Prospect.objects.filter(pk=prospect.pk).update(
            salesforce_id="", salesforce_type="", salesforce_account_id="", matched_by="", review=MatchReview.NONE,
            updated_at=timezone.now(),
        )  # fmt: skip
        MatchCandidate.objects.filter(prospect=prospect).delete()
        return _wake(prospect)
