"""XSS payloads in every stored text field a page shows come out escaped, on every page of the workspace.

The payloads go into the rows people and Salesforce can write: the workspace's name, a member's name, prospects,
activities, failed writes' error messages, actions' errors, the connection's org and user names and last error,
settings history, API key names, task mapping values and sync errors. Then every page the URL walker finds in the
workspace (GET, as the owner) and every admin list is read: no payload may appear raw, and each field's payload
must appear escaped on some page (so the check is not passing because nothing was shown).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from mappings.models import TaskFieldMapping
from tests.factories import UserFactory
from tests.guards.test_tenant_isolation import page_routes, values_for
from tests.guards.walker import fill, routes

pytestmark = pytest.mark.django_db


CODES: dict[str, str] = {}


def code(tag: str) -> str:
    """A short code per field ("x7"): the payload must fit the shortest column (PostgreSQL refuses a longer value)."""
    return CODES.setdefault(tag, f"x{len(CODES)}")


def payload(tag: str) -> str:
    """One payload per field, so a raw hit names the field that leaked."""
    return f'"><script>alert("{code(tag)}")</script><img src=x onerror=alert("{code(tag)}")>'


def _store(tenant) -> dict[str, str]:
    o, placed = tenant.objects, {}

    def put(row, field, tag):
        setattr(row, field, payload(tag))
        row.save(update_fields=[field])
        placed[tag] = payload(tag)

    put(tenant.workspace, "name", "workspace.name")
    put(tenant.rep, "full_name", "user.full_name")
    for field in ("first_name", "last_name", "company_name", "title"):
        put(o["prospect"], field, f"prospect.{field}")
    for field in ("subject", "notes", "disposition", "body_excerpt"):  # every activity: lists show any of them
        type(o["activity"]).objects.filter(workspace=tenant.workspace).update(**{field: payload(f"activity.{field}")})
        placed[f"activity.{field}"] = payload(f"activity.{field}")
    put(o["job"], "last_error_message", "job.last_error_message")
    put(o["action_run"], "error_message", "action_run.error_message")
    put(o["action_run"], "summary", "action_run.summary")
    for field in ("org_name", "remote_display_name", "last_error", "status_reason"):
        put(o["connection"], field, f"connection.{field}")
    put(o["settings_change"], "summary", "settings_change.summary")
    put(o["api_key"], "name", "api_key.name")
    put(o["sync_run"], "error_message", "sync_run.error_message")
    return placed


def _pages(tenant) -> dict[str, str]:
    owner = tenant.client(tenant.owner)
    pages = {}
    for route in [r for r in page_routes() if r.in_workspace]:
        url = fill(route, values_for(route, tenant))
        response = owner.get(url, follow=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[url] = response.content.decode()
    return pages


def _admin_pages(tenant) -> dict[str, str]:
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    pages = {}
    for route in routes():
        if route.is_admin and route.name.endswith("_changelist"):
            url = fill(route, {})
            listing = client.get(url).content.decode()
            pages[url] = listing
            for href in re.findall(r'href="(/admin/[^"]+/\d+/change/)', listing)[:1]:
                pages[href] = client.get(href).content.decode()
    return pages


def test_stored_payloads_are_escaped_on_every_page(tenant_b):
    placed = _store(tenant_b)
    # The first visit to Task Mappings creates the workspace's default mappings; one of them gets a payload too.
    tenant_b.client(tenant_b.owner).get(reverse("crm_task_mappings", args=[tenant_b.workspace.slug, "call"]))
    mapping = TaskFieldMapping.objects.filter(workspace=tenant_b.workspace, source="constant").first()
    if mapping is not None:
        mapping.value = payload("mapping.value")
        mapping.save(update_fields=["value"])
        placed["mapping.value"] = mapping.value
    pages = _pages(tenant_b) | _admin_pages(tenant_b)

    raw = [f"{tag} raw on {url}" for tag, p in placed.items() for url, page in pages.items()
           if f'<script>alert("{code(tag)}")' in page or f'onerror=alert("{code(tag)}")>' in page]  # fmt: skip
    assert not raw, "\n".join(raw)
    # Seen escaped somewhere (a list may cut a long value: the escaped alert with its tag is enough).
    unseen = [tag for tag in placed if not any(f"alert(&quot;{code(tag)}&quot;)" in page for page in pages.values())]
    assert not unseen, f"Payloads no page showed (so their escaping is untested): {unseen}"
    assert len(pages) > 30
