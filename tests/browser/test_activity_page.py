"""The Activity page in Chromium, as an admin of a team and as a rep: paging and search, failures grouped by error and
retried as a group after fixing the setting, the writes-per-hour chart with the numbers the ledger holds, and a
rep's own view; at 1,400 px and on a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity, AttemptOutcome, JobStatus, WritebackAttempt, WritebackJob
from integrations.services.metadata import describe_invalidate
from mappings.models import CreationDefault
from tests.activities.conftest import activity_event
from tests.browser.shots import shot
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def team_activity(crm):
    """55 activities written to the sandbox as two reps, then 6 that fail because the org made a Contact field
    required (4 of the rep's, 2 of the second rep's)."""
    crm.ingest([activity_event(n, rep=crm.rep if n % 2 else crm.rep2) for n in range(55)])
    crm.drain()
    crm.control.add_field(crm.org.org_id, "Contact", "Region__c", "string", required=True)
    crm.ingest([activity_event(100 + n, rep=crm.rep if n < 4 else crm.rep2) for n in range(6)])
    assert Activity.objects.filter(workspace=crm.workspace).count() == 61
    assert len(crm.tasks()) == 55
    return crm


def test_admin_pages_searches_and_retries_a_failure_group(live_server, page, team_activity):
    crm = team_activity
    page.set_viewport_size({"width": 1400, "height": 900})
    base = f"{live_server.url}/w/{crm.workspace.slug}/activity/"
    sign_in(page, base, crm.owner.email)

    # Counted in activities: 61 received, 55 written (one Task each, as in the sandbox), 6 failed.
    expect(page.get_by_test_id("count-total")).to_have_text("61")
    expect(page.get_by_test_id("count-written")).to_have_text("55")
    expect(page.get_by_test_id("count-failed")).to_have_text("6")

    # Paging: 50 on the first page, the other 11 one click away.
    expect(page.get_by_test_id("activity-count")).to_contain_text("61 activities · showing 1–50")
    expect(page.get_by_test_id("activity-row")).to_have_count(50)
    shot(page, "activity_1400.png", full_page=True)
    shot(page, "activity_1400_top.png")
    page.get_by_test_id("pager").get_by_role("link", name="Older →").click()
    expect(page.get_by_test_id("activity-count")).to_contain_text("showing 51–61")
    expect(page.get_by_test_id("activity-row")).to_have_count(11)

    # Search by email, then by rep and state.
    search = page.get_by_test_id("activity-search")
    search.get_by_label("Prospect, email or subject").fill("prospect7@example.org")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("activity-row")).to_have_count(1)
    expect(page.get_by_test_id("activity-row")).to_contain_text("Pat7 Prospect7")
    task_link = page.get_by_test_id("activity-row").locator("a[data-sf-id^='00T']")
    expect(task_link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/00T\w+$"))
    expect(task_link).to_have_attribute("data-sobject", "Task")
    # Its history: the Task, the Contact and its Account each link to Salesforce.
    page.get_by_test_id("activity-row").get_by_title("History of this activity").click()
    expect(page.get_by_test_id("task-link").locator("a")).to_have_attribute("href", re.compile(r"/00T\w+$"))
    expect(page.get_by_test_id("prospect-match").locator("a[data-sobject=Contact][href*='/003']")).to_have_count(1)
    expect(page.get_by_test_id("prospect-match").locator("a[data-sobject=Account][href*='/001']")).to_have_count(1)
    expect(page.get_by_test_id("attempt-summary").first).to_contain_text("1 attempt")
    shot(page, "activity_detail_1400.png", full_page=True)
    page.go_back()
    search = page.get_by_test_id("activity-search")
    search.get_by_label("Prospect, email or subject").fill("")
    search.get_by_label("Rep").select_option(label=crm.rep2.email)
    search.get_by_label("Salesforce").select_option("failed")
    search.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("activity-row")).to_have_count(2)

    # Two lines, not twelve: the cause (the Contact could not be created, for both reps) first, then the Tasks
    # that failed because of it. Fix the cause, then retry its group: the Tasks go with it.
    page.goto(base)
    groups = page.get_by_test_id("failure-group")
    expect(groups).to_have_count(2)
    cause = groups.first
    expect(cause).to_contain_text("REQUIRED_FIELD_MISSING")
    expect(cause).to_contain_text(crm.rep.email)
    expect(cause).to_contain_text(crm.rep2.email)
    expect(cause.get_by_test_id("group-count")).to_have_text("6")
    expect(groups.nth(1)).to_contain_text("DEPENDENCY_FAILED")
    expect(groups.nth(1)).to_contain_text("retrying the prospect's error retries them too")
    shot(page.get_by_test_id("failed-jobs"), "activity_failures_1400.png")
    assert WritebackJob.objects.filter(status=JobStatus.FAILED).count() == 12
    # The admin's fix: refresh the metadata (the new field was not in it) and give Region__c a creation default.
    for connection in (crm.admin_connection, crm.rep_connection, crm.rep2_connection):
        describe_invalidate(connection=connection)
    CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Region__c",
                                   source="constant", value="EMEA")  # fmt: skip
    cause.get_by_role("link", name="Retry 6…").click()
    expect(page.locator("h1")).to_have_text("Retry 12 failed writes?")
    expect(page.get_by_test_id("confirm-dependents")).to_contain_text("6 × DEPENDENCY_FAILED")
    page.get_by_role("button", name="Yes, retry").click()
    expect(page.locator(".messages")).to_contain_text("Retry: 12 failed writes.")
    crm.drain()
    page.reload()
    expect(page.get_by_test_id("count-written")).to_have_text("61")
    expect(page.get_by_test_id("count-failed")).to_have_text("0")
    assert len(crm.tasks()) == 61
    new = {f"prospect{n}@example.org" for n in range(100, 106)}
    assert [c.get("Region__c") for c in crm.records("Contact") if c["Email"] in new] == ["EMEA"] * 6


def test_the_chart_shows_the_ledgers_numbers_and_reps_see_their_own(live_server, page, browser, team_activity):
    crm = team_activity
    written = WritebackAttempt.objects.filter(outcome=AttemptOutcome.SUCCEEDED).count()
    failed = WritebackAttempt.objects.filter(outcome=AttemptOutcome.FAILED).count()
    assert written and failed
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/activity/", crm.owner.email)
    chart = page.get_by_test_id("write-chart")
    expect(chart.get_by_test_id("total-written")).to_have_text(str(written))
    expect(chart.get_by_test_id("total-failed")).to_have_text(str(failed))
    bars = chart.locator("svg g.bar")
    expect(bars).to_have_count(24)
    drawn = chart.locator("svg rect.written")
    expect(drawn.first).to_be_visible()
    assert drawn.first.bounding_box()["height"] > 20  # every write is in this hour: the bar is most of the chart
    breakdown = chart.get_by_test_id("rep-breakdown")
    expect(breakdown.locator("tbody tr")).to_have_count(2)
    chart.get_by_role("link", name="Last 7 days").click()
    expect(page.get_by_test_id("write-chart").locator("svg g.bar")).to_have_count(168)
    expect(page.get_by_test_id("total-written")).to_have_text(str(written))
    page.get_by_test_id("write-chart").scroll_into_view_if_needed()
    shot(page.get_by_test_id("write-chart"), "activity_chart.png")

    # The rep: their own activity by default, no admin buttons; the team one click away.
    rep_page = browser.new_page(viewport={"width": 390, "height": 844})
    rep_violations = []
    rep_page.on("console", lambda m: rep_violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(rep_page, f"{live_server.url}/w/{crm.workspace.slug}/activity/", crm.rep.email)
    mine = Activity.objects.filter(user=crm.rep).count()
    expect(rep_page.get_by_test_id("activity-scope").locator("[aria-current=page]")).to_have_text("My activity")
    expect(rep_page.get_by_test_id("count-total")).to_have_text(str(mine))
    expect(rep_page.get_by_test_id("failure-group")).to_have_count(2)
    expect(rep_page.get_by_test_id("failure-group").get_by_role("link", name=re.compile("Retry"))).to_have_count(0)
    expect(rep_page.get_by_test_id("fix-setting")).to_have_count(0)
    rep_written = WritebackAttempt.objects.filter(outcome=AttemptOutcome.SUCCEEDED, job__user=crm.rep).count()
    expect(rep_page.get_by_test_id("total-written")).to_have_text(str(rep_written))
    rep_page.wait_for_load_state("networkidle")
    assert overflow(rep_page) <= 0, f"the Activity page is {overflow(rep_page)} px wider than the phone"
    shot(rep_page, "activity_390_rep.png", full_page=True)
    shot(rep_page, "activity_390_top.png")
    shot(rep_page.get_by_test_id("failed-jobs"), "activity_390_failures.png")
    shot(rep_page.get_by_test_id("activity-list-card"), "activity_390_list.png")
    rep_page.get_by_test_id("activity-scope").get_by_role("link", name="Team").click()
    expect(rep_page.get_by_test_id("count-total")).to_have_text("61")
    assert not rep_violations, rep_violations


def test_a_revoked_token_shows_the_reconnect_banner_only(live_server, page, crm):
    """Salesforce revoked every token: the rep's writes pause, the page says so in yellow, with no red error."""
    crm.control.expire_tokens(org=crm.org.org_id, refresh_tokens=True)
    crm.ingest([activity_event(1, rep=crm.rep)])
    assert set(WritebackJob.objects.values_list("status", flat=True)) <= {JobStatus.WAITING_RECONNECT,
                                                                          JobStatus.PENDING}  # fmt: skip
    sign_in(page, f"{live_server.url}/w/{crm.workspace.slug}/activity/", crm.rep.email)
    expect(page.get_by_test_id("reconnect-banner")).to_have_count(1)
    expect(page.get_by_test_id("count-waiting")).to_have_text("1")
    expect(page.get_by_test_id("paused-writes")).to_contain_text("Waiting for reconnect")
    expect(page.locator(".message.error, .badge.bad")).to_have_count(0)
    assert "could not be reached" not in page.locator("main").inner_text()
    shot(page, "activity_revoked.png")
