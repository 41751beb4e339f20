"""Activity pages: writeback counts, the dead letter (failed jobs) with confirmed retry/cancel, prospect matches
to review ("use this one"), per-activity history with every attempt, API keys and the demo generator."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from activities.forms import ApiKeyForm
from activities.models import Activity, ApiKey, MatchCandidate, MatchReview, Prospect, WritebackJob
from activities.selectors import (
    activity_list_recent,
    activity_status,
    job_list_failed,
    job_list_skipped_for_a_setting,
    job_list_waiting,
    match_review_list,
    salesforce_base_url,
    writeback_counts,
)
from activities.services.demo import demo_activity_generate
from activities.services.keys import api_key_create, api_key_revoke
from activities.services.ledger import jobs_cancel, jobs_retry
from activities.services.writeback.review import match_choose, match_create_new, match_forget
from workspaces.models import MANAGE_CRM_SETTINGS
from workspaces.permissions import require_workspace_perm

manage_required = require_workspace_perm(
    MANAGE_CRM_SETTINGS, message="Only members with the Manage CRM Settings permission can do this."
)
JOB_ACTIONS = {
    "retry": ("Retry", "It goes back in the queue with a fresh set of attempts.", jobs_retry),
    "cancel": ("Cancel", "It will not be written to Salesforce.", jobs_cancel),
}


def activity_home(request, workspace_slug):
    workspace = request.workspace
    return render(request, "activities/home.html", {
        "counts": writeback_counts(workspace=workspace),
        "failed_jobs": job_list_failed(workspace=workspace)[:100],
        "waiting_groups": job_list_waiting(workspace=workspace),
        "skipped_jobs": job_list_skipped_for_a_setting(workspace=workspace),
        "activities": activity_list_recent(workspace=workspace),
        "reviews": match_review_list(workspace=workspace),
        "salesforce_url": salesforce_base_url(workspace=workspace),
    })  # fmt: skip


def activity_detail(request, workspace_slug, pk):
    activity = get_object_or_404(
        Activity.objects.select_related("prospect", "user"), pk=pk, workspace=request.workspace
    )
    jobs = (
        WritebackJob.objects.filter(prospect=activity.prospect)
        .filter(activity=activity) | WritebackJob.objects.filter(prospect=activity.prospect, activity__isnull=True,
                                                                 action="prospect_sync")
    ).prefetch_related("attempt_rows").select_related("connection").order_by("id")  # fmt: skip
    return render(request, "activities/detail.html", {
        "activity": activity, "jobs": jobs, "status": activity_status(activity=activity),
        "salesforce_url": salesforce_base_url(workspace=request.workspace),
    })  # fmt: skip


@require_POST
@manage_required
def prospect_match_choose(request, workspace_slug, pk):
    """ "Use this one": the prospect goes on the chosen candidate and its waiting writes go now."""
    prospect = get_object_or_404(Prospect, pk=pk, workspace=request.workspace)
    candidate_id = request.POST.get("candidate", "")
    candidate = get_object_or_404(MatchCandidate, pk=int(candidate_id) if candidate_id.isdigit() else 0,
                                  prospect=prospect)  # fmt: skip
    woken = match_choose(prospect=prospect, candidate=candidate)
    resumed = f"; {woken} waiting write{'s' if woken != 1 else ''} resumed" if woken else ""
    messages.success(request, f"{prospect} is now {candidate.sobject} {candidate.remote_id}{resumed}.")
    return _back(request, workspace_slug)


@require_POST
@manage_required
def prospect_match_create_new(request, workspace_slug, pk):
    """ "None of these": the held prospect is a new person; its waiting writes create a record for them now."""
    prospect = get_object_or_404(Prospect, pk=pk, workspace=request.workspace, review=MatchReview.HELD)
    match_create_new(prospect=prospect)
    messages.success(request, f"A new record will be created for {prospect}.")
    return _back(request, workspace_slug)


@require_POST
@manage_required
def prospect_match_forget(request, workspace_slug, pk):
    """ "Not this person": forget an old name-only match; the next write matches again by today's rules."""
    prospect = get_object_or_404(Prospect, pk=pk, workspace=request.workspace)
    match_forget(prospect=prospect)
    messages.success(request, f"{prospect} will be matched again on their next write.")
    return _back(request, workspace_slug)


@manage_required
def job_action(request, workspace_slug, pk, action):
    if action not in JOB_ACTIONS:
        raise Http404("No such action.")
    job = get_object_or_404(WritebackJob.objects.select_related("prospect", "activity"), pk=pk,
                            workspace=request.workspace)  # fmt: skip
    label, consequence, service = JOB_ACTIONS[action]
    if request.method == "POST":
        done = service(jobs=[job])
        messages.success(
            request, f"{label}: {done} job{'s' if done != 1 else ''}." if done else f"Nothing to {action}."
        )
        return _back(request, workspace_slug)
    back = _safe_next(request, request.GET.get("next", ""))
    return render(request, "activities/confirm.html", {
        "label": label, "consequence": consequence, "jobs": [job], "next": back,
    })  # fmt: skip


def _back(request, workspace_slug):
    """Where a POST returns to: the page it came from (`next`, this site only), else the Activity page."""
    back = _safe_next(request, request.POST.get("next", ""))
    return redirect(back) if back else redirect("activity_home", workspace_slug=workspace_slug)


def _safe_next(request, url: str) -> str:
    """Only a path on this site: `next` comes from the query string, so it must not send people elsewhere."""
    ok = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if url and ok else ""


@manage_required
def jobs_failed_action(request, workspace_slug, action):
    if action not in JOB_ACTIONS:
        raise Http404("No such action.")
    jobs = list(job_list_failed(workspace=request.workspace))
    label, consequence, service = JOB_ACTIONS[action]
    if request.method == "POST":
        done = service(jobs=jobs)
        messages.success(request, f"{label}: {done} failed job{'s' if done != 1 else ''}.")
        return redirect("activity_home", workspace_slug=workspace_slug)
    return render(request, "activities/confirm.html", {"label": label, "consequence": consequence, "jobs": jobs})


@require_POST
@manage_required
def demo_generate(request, workspace_slug):
    result = demo_activity_generate(workspace=request.workspace)
    messages.success(request, f"Generated {len(result.results)} demo events; their writes are queued.")
    return redirect("activity_home", workspace_slug=workspace_slug)


@manage_required
def api_key_list(request, workspace_slug):
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        key, new_key = api_key_create(workspace=request.workspace, name=form.cleaned_data["name"],
                                      created_by=request.user, scopes=form.cleaned_data["scopes"])  # fmt: skip
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(workspace=request.workspace).select_related("created_by")
    return render(request, "activities/api_keys.html", {"form": form, "keys": keys, "new_key": new_key})


@manage_required
def api_key_revoke_view(request, workspace_slug, pk):
    key = get_object_or_404(ApiKey, pk=pk, workspace=request.workspace)
    if request.method == "POST":
        api_key_revoke(key=key)
        messages.success(request, f"API key “{key.name}” revoked. Requests using it now get 401.")
        return redirect("api_key_list", workspace_slug=workspace_slug)
    return render(request, "activities/api_key_revoke.html", {"key": key})
