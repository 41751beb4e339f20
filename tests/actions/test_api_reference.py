"""The API reference page is served from our own static files and renders under the app's Content-Security-Policy
(script-src 'self', style-src 'self'): no CDN, no inline script or style the policy would block."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reference_page_renders_every_endpoint_without_a_policy_report(live_server, page):
    reports, outside = [], []
    page.on("console", lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI builds the page from openapi.json in the browser: allow for a busy machine (2 cores, 8 suites).
    expect(page.get_by_text("Switchboard API").first).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/events/batch").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/events/batch").first.click()
    expect(page.get_by_text("EventBatch").first).to_be_visible()
    page.wait_for_timeout(300)
    assert not reports, reports
    assert not [u for u in outside if not u.startswith("data:")], outside


def test_the_description_is_json_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    spec = response.json()
    assert spec["openapi"].startswith("3.") and "/api/v1/events" in spec["paths"]
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
