"""Layout a person notices at once: the top bar on one line on a laptop screen, the Activity and Sync pages
within a phone's width, and a favicon on every page (no 404 in the console)."""

from __future__ import annotations

import pytest

from sync.services.runs import full_sync_start
from tests.activities.conftest import activity_event
from tests.browser.signin import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_workspace(crm):
    """The connected workspace with written activity and a finished full sync, so both pages have full tables."""
    crm.owner.is_staff = True  # staff see one more link in the top bar (Admin)
    crm.owner.save(update_fields=["is_staff"])
    crm.ingest([activity_event(n, rep=crm.rep, kind=k) for n, k in enumerate(["call", "email_sent", "sms"] * 3)])
    crm.drain()
    with crm.capture(execute=True):
        full_sync_start(workspace=crm.workspace)
    return crm


def overflow(page) -> int:
    """How many pixels the page is wider than the window (what makes a phone scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_top_bar_stays_on_one_line_at_1400_px(live_server, page, busy_workspace):
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, f"{live_server.url}/w/{busy_workspace.workspace.slug}/sync/", busy_workspace.owner.email)
    bar = page.locator("header.topbar")
    tops = bar.locator(".brand, .switcher summary, .mainnav a, .usermenu > *").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))"
    )
    assert max(tops) - min(tops) <= 4, f"the top bar wraps: item centres at {sorted(set(tops))}"
    assert bar.get_by_role("button", name="Sign out").is_visible()


@pytest.mark.parametrize("where", ["activity/", "sync/"])
def test_activity_and_sync_fit_a_390_px_phone(live_server, page, busy_workspace, where):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, f"{live_server.url}/w/{busy_workspace.workspace.slug}/{where}", busy_workspace.owner.email)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    assert overflow(page) <= 0, f"{where} is {overflow(page)} px wider than the phone"


def test_every_page_has_a_favicon(live_server, page, busy_workspace):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sign_in(page, f"{live_server.url}/w/{busy_workspace.workspace.slug}/", busy_workspace.owner.email)
    for href in page.locator("link[rel=icon]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200 and response.headers["content-type"].startswith("image/"), href
    # With an icon linked, the browser never falls back to asking for /favicon.ico (the 404 on every page).
    for where in (f"/w/{busy_workspace.workspace.slug}/sync/", "/admin/"):
        page.goto(f"{live_server.url}{where}")
        page.wait_for_load_state("networkidle")
        assert page.locator("link[rel=icon]").count() >= 1, where
    assert not failed, failed
