"""Activity pages: writeback counts, the dead letter (failed jobs) with confirmed retry/cancel, prospect matches
to review ("use this one"), per-activity history with every attempt, API keys and the demo generator."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from activities.forms import ActivitySearchForm, ApiKeyForm
from activities.models import Activity, ApiKey, AttemptOutcome, MatchCandidate, MatchReview, Prospect, WritebackJob
from activities.selectors import (
    CHART_WINDOWS,
    WriteState,
    activity_counts,
    activity_search,
    activity_status,
    failure_group_jobs,
    failure_group_list,
    failure_groups_enrich,
    job_list_failed,
    job_list_skipped_for_a_setting,
    job_list_waiting,
    match_review_list,
    other_write_counts,
    salesforce_base_url,
    workspace_reps,
    write_chart,
    writes_by_rep,
)
from activities.services.demo import demo_activity_generate
from activities.services.groups import failure_group_cancel, failure_group_retry
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
GROUP_ACTIONS = {
    "retry": ("Retry", "They go back in the queue with a fresh set of attempts.", failure_group_retry),
    "cancel": ("Cancel", "They will not be written to Salesforce.", failure_group_cancel),
}
ACTIVITIES_PER_PAGE = 50
FAILURE_GROUPS_PER_PAGE = 10


def activity_home(request, workspace_slug):
    """Activities of the team (admins) or of the rep (reps, by default), searched and paged; counts in activities;
    failed writes grouped by error; writes per hour."""
    workspace = request.workspace
    can_manage = request.user.has_perm(MANAGE_CRM_SETTINGS, workspace)
    form = ActivitySearchForm(request.GET or None, reps=workspace_reps(workspace=workspace), me=request.user,
                              team_default=can_manage)  # fmt: skip
    search = form.search()
    scope = search.user  # counts, failures and the chart follow whose activity is shown; the other filters do not
    page = Paginator(activity_search(workspace=workspace, search=search), ACTIVITIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    groups_page = Paginator(failure_group_list(workspace=workspace, user=scope), FAILURE_GROUPS_PER_PAGE).get_page(
        request.GET.get("failures")
    )
    page.object_list = list(page.object_list)
    for activity in page.object_list:
        activity.write_state_label = WriteState.labels.get(activity.write_state, activity.write_state)
    window = request.GET.get("chart") if request.GET.get("chart") in CHART_WINDOWS else "day"
    query = request.GET.copy()
    query["rep"] = form.data["rep"]
    return render(request, "activities/home.html", {
        "form": form,
        "scope": scope,
        "page": page,
        "counts": activity_counts(workspace=workspace, user=scope),
        "other_writes": other_write_counts(workspace=workspace, user=scope),
        "failure_groups": failure_groups_enrich(workspace=workspace, rows=groups_page.object_list, user=scope),
        "groups_page": groups_page,
        "waiting_groups": job_list_waiting(workspace=workspace, user=scope),
        "skipped_jobs": job_list_skipped_for_a_setting(workspace=workspace) if can_manage else [],
        "reviews": match_review_list(workspace=workspace),
        "salesforce_url": salesforce_base_url(workspace=workspace),
        "chart": write_chart(workspace=workspace, user=scope, window=window),
        "rep_rows": writes_by_rep(workspace=workspace, user=scope, window=window),
        "query": _query_without(query, "page"),
        "failures_query": _query_without(query, "failures"),
        "chart_query": _query_without(query, "chart"),
        "rep_query": _query_without(query, "rep", "page", "failures"),
    })  # fmt: skip


def _query_without(query, *names) -> str:
    """The page's query string minus `names`, for links that change only those (a page, the chart window)."""
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def activity_detail(request, workspace_slug, pk):
    activity = get_object_or_404(
        Activity.objects.select_related("prospect", "user"), pk=pk, workspace=request.workspace
    )
    jobs = list((
        WritebackJob.objects.filter(prospect=activity.prospect)
        .filter(activity=activity) | WritebackJob.objects.filter(prospect=activity.prospect, activity__isnull=True,
                                                                 action="prospect_sync")
    ).prefetch_related("attempt_rows").select_related("connection").order_by("id"))  # fmt: skip
    for job in jobs:
        job.history = _attempt_history(list(job.attempt_rows.all()))
        job.tries = sum(1 for row in job.history if not row["pause"])
        job.rounds = sum(1 for row in job.history if row["new_round"]) + 1 if job.history else 0
    return render(request, "activities/detail.html", {
        "activity": activity, "jobs": jobs, "status": activity_status(activity=activity),
        "salesforce_url": salesforce_base_url(workspace=request.workspace),
    })  # fmt: skip


PAUSES = (AttemptOutcome.RECONNECT, AttemptOutcome.BUDGET, AttemptOutcome.REVIEW)
"""Attempt rows that only record a wait: the ledger does not count them as attempts (`job_wait`)."""
_ENDS = (AttemptOutcome.FAILED, AttemptOutcome.SKIPPED, AttemptOutcome.SUCCEEDED)


def _attempt_history(attempts) -> list[dict]:
    """Attempts numbered 1, 2, 3 … across retries. The ledger's own `number` starts again at 1 when a person
    retries (a fresh set of attempts), so two rows would both read #1; a drop in it (or a repeat after an attempt
    that ended the job) is where someone retried, which the page marks."""
    rows, tries, previous = [], 0, None
    for attempt in attempts:
        pause = attempt.outcome in PAUSES
        new_round = previous is not None and (
            attempt.number < previous.number or (attempt.number == previous.number and previous.outcome in _ENDS)
        )
        if not pause:
            tries += 1
        rows.append({"attempt": attempt, "ordinal": None if pause else tries, "pause": pause, "new_round": new_round})
        previous = attempt
    return rows


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


@manage_required
def failure_group_action(request, workspace_slug, latest_id, action):
    """Retry or cancel one failure group (every failed write with the error of job `latest_id`), after confirming."""
    if action not in GROUP_ACTIONS:
        raise Http404("No such action.")
    get_object_or_404(WritebackJob, pk=latest_id, workspace=request.workspace)  # another workspace's id: 404
    label, consequence, service = GROUP_ACTIONS[action]
    source = request.POST if request.method == "POST" else request.GET
    rep = source.get("rep", "")
    user = workspace_reps(workspace=request.workspace).filter(pk=int(rep)).first() if rep.isdigit() else None
    if rep and user is None:
        raise Http404("No such member here.")  # never widen a rep's group to the whole team
    if request.method == "POST":
        done = service(workspace=request.workspace, actor=request.user, latest_id=latest_id, user=user)
        if done:
            messages.success(request, f"{label}: {done} failed write{'s' if done != 1 else ''}.")
        else:
            messages.info(request, f"Nothing to {action}: these writes are no longer failed.")
        return _back(request, workspace_slug)
    group = failure_group_jobs(workspace=request.workspace, latest_id=latest_id, user=user)
    jobs = list(group[:21])
    codes = list(group.order_by().values("last_error_code").annotate(n=Count("id")).order_by("-n"))
    return render(request, "activities/confirm.html", {
        "label": label, "consequence": consequence, "jobs": jobs, "total": sum(c["n"] for c in codes), "rep": rep,
        "codes": codes if len(codes) > 1 else [],
        "error": jobs[0] if jobs else None, "next": _safe_next(request, request.GET.get("next", "")),
    })  # fmt: skip


@require_POST
@manage_required
def demo_generate(request, workspace_slug):
    result = demo_activity_generate(workspace=request.workspace)
    kinds = Counter(answer["type"] for answer in result.results if not answer.get("duplicate"))
    n, steps, optouts = kinds["activity"], kinds["enrollment"], kinds["opt_out"]
    # Count what a person will see: activities (each becomes one Task), not events or the jobs behind them.
    messages.success(request, f"Generated {n} demo activit{'ies' if n != 1 else 'y'} (calls, emails, LinkedIn "
                              f"touches) with {steps} sequence change{'s' if steps != 1 else ''} and "
                              f"{optouts} SMS opt-out{'s' if optouts != 1 else ''}; each activity becomes one "
                              f"Salesforce Task once written.")  # fmt: skip
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
