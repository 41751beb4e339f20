"""Retry or cancel a whole failure group (every failed write with one error) from the Activity page.

The ledger's own services settle the jobs (`jobs_retry`, `jobs_cancel`): this module only decides which jobs a
group is, in the actor's workspace, and refuses members who may not act on failed writes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from activities.selectors import failure_group_jobs
from activities.services.ledger import jobs_cancel, jobs_retry
from workspaces.models import MANAGE_CRM_SETTINGS


def failure_group_retry(*, workspace, actor, latest_id: int, user=None) -> int:
    """Back in the queue with a fresh set of attempts: every failed job with the error of job `latest_id`
    (of one rep when `user` is given). Returns how many went back."""
    _check(workspace, actor)
    return jobs_retry(jobs=failure_group_jobs(workspace=workspace, latest_id=latest_id, user=user))


def failure_group_cancel(*, workspace, actor, latest_id: int, user=None) -> int:
    """Never written: every failed job with the error of job `latest_id` (of one rep when `user` is given)."""
    _check(workspace, actor)
    return jobs_cancel(jobs=failure_group_jobs(workspace=workspace, latest_id=latest_id, user=user))


def _check(workspace, actor) -> None:
    # The view checks too; the service checks again so no other caller (a script, a future API) can skip it.
    if not actor.has_perm(MANAGE_CRM_SETTINGS, workspace):
        raise PermissionDenied("Only members with the Manage CRM Settings permission can retry or cancel writes.")
