"""Tenant isolation over every URL the resolver knows: nobody reaches another workspace, a Rep changes no settings,
an API key works only for its workspace and its scopes.

The routes come from Django's resolver, so a view added tomorrow is walked tomorrow. A route the walker cannot
fill (a new id or path value) fails the test with its name: add how to fill it below, or, for a page that is
public on purpose, add it to PUBLIC with the reason.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from config.urls import api
from tests.guards.snapshot import db_changes, db_snapshot
from tests.guards.walker import Unfillable, fill, routes

pytestmark = pytest.mark.django_db

PUBLIC = {
    # Outside any workspace on purpose; each is guarded some other way (said here) or shows nothing private.
    "healthz": "load balancers probe it without a session; it names no workspace (tests/core/test_healthz.py)",
    "root": "sends a signed-in person to their own first workspace",
    "workspace_create": "creates a new workspace owned by the person; names no other one",
    "invitation_accept": "the single-use token in the URL is the credential (tests/workspaces/test_views.py)",
    "salesforce_oauth_callback": "the state row, not the URL, names the workspace (tests/guards/test_oauth.py)",
    "api:openapi-json": "the API description, public like any vendor's reference",
    "api:openapi-view": "the API reference page",
    "api:api-root": "a JSON pointer to the reference",
    "": "unnamed: the API's JSON 404 for any other /api/ path (api_framework.not_found)",
}
# django-allauth's own pages: signing in, out, up and resetting a password act on the person, not on a workspace.
ACCOUNT_PAGE = re.compile(r"^account_")

# How to fill the values routes need. `pk` depends on the route: the row of workspace B it names.
PK_ROW = {
    "activity_detail": "activity",
    "prospect_match_choose": "prospect",
    "prospect_match_forget": "prospect",
    "prospect_match_create_new": "prospect",
    "writeback_job_action": "job",
    "api_key_revoke": "api_key",
    "action_detail": "action_run",
    "invitation_revoke": "invitation",
    "membership_edit": "membership",
    "membership_remove": "membership",
    "integration_disconnect": "connection",
    "sync_run_progress": "sync_run",
    "sync_run_cancel": "sync_run",
    "crm_change_revert": "settings_change",
    "api:activity_detail": "activity",
    "api:action_status": "action_run",
}
# Other ids whose meaning does not depend on the route.
ID_ROW = {"latest_id": "job"}
VALUES = {"action": "retry", "kind": "call", "sobject": "Account", "obj": "contact"}

# What a Rep (no Manage CRM Settings, not a member manager) may POST, and why it is theirs to do.
REP_MAY_POST = {
    "integration_own_connect": "connects the rep's own Salesforce user (starts OAuth: stores a pending state)",
}
# Pages that only show: they ignore a POST's body and answer the page, so a Rep's POST may get 200 there (and
# must still change nothing). Every other page must refuse a Rep's POST with 403 (or 405).
READ_PAGES = {
    "workspace_home", "member_list", "integration_list", "activity_home", "activity_detail", "action_list",
    "action_detail", "crm_accounts", "crm_prospects", "crm_opportunities", "crm_cases",
}  # fmt: skip

KNOWN_BUGS: dict[str, str] = {
    # route name -> what is wrong, while a fix is in progress (strict xfail below: it fails once the view is fixed)
}


def page_routes():
    return [r for r in routes() if not r.is_admin and not r.is_api]


def values_for(route, tenant, *, slug=None) -> dict:
    values = dict(VALUES, workspace_slug=slug or tenant.workspace.slug)
    if "pk" in route.url_args:
        if route.name not in PK_ROW:
            raise Unfillable(f"{route}: which row does its pk name? Add it to PK_ROW in {__name__}")
        values["pk"] = tenant.objects[PK_ROW[route.name]].pk
    values.update({arg: tenant.objects[row].pk for arg, row in ID_ROW.items() if arg in route.url_args})
    return values


def test_every_route_outside_a_workspace_is_public_on_purpose():
    unguarded = [
        str(r) for r in page_routes() if not r.in_workspace and r.name not in PUBLIC and not ACCOUNT_PAGE.match(r.name)
    ]
    assert not unguarded, (
        "Routes outside /w/<workspace>/ that nobody declared public (add them to PUBLIC with the reason, "
        f"or move them under a workspace): {unguarded}"
    )


def _isolation_failures(tenant_a, tenant_b, route_names=None) -> tuple[list[str], int]:
    """A's owner (every permission in A) asks for B's pages by B's slug, and for B's rows under A's slug: 404
    (405 for a method the view never takes: refused before any lookup, so it tells nothing), and nothing changes.
    B's owner, asking the same URLs, is not refused (the fillers name real rows)."""
    intruder, rightful = tenant_a.client(tenant_a.owner), tenant_b.client(tenant_b.owner)
    failures, checked = [], 0
    before = db_snapshot()  # stays the reference while nothing changes; retaken after a change is reported
    for route in [r for r in page_routes() if r.in_workspace]:
        wanted = route.name in route_names if route_names is not None else route.name not in KNOWN_BUGS
        if not wanted:
            continue
        try:
            urls = [fill(route, values_for(route, tenant_b))]
            if set(route.url_args) & {"pk", *ID_ROW}:  # B's row under A's own slug: the view must scope its lookup
                urls.append(fill(route, values_for(route, tenant_b, slug=tenant_a.workspace.slug)))
        except Unfillable as exc:
            failures.append(str(exc))
            continue
        if set(route.url_args) - {"workspace_slug"}:
            if rightful.get(urls[0]).status_code == 404:
                failures.append(f"{route}: B's own owner gets 404 at {urls[0]}: the filled values name nothing")
            before = db_snapshot()  # B's own visit may create B's default settings rows; that is not A's doing
        for url in urls:
            answers = {method: getattr(intruder, method)(url).status_code for method in ("get", "post")}
            checked += 2
            if set(answers.values()) - {404, 405} or 404 not in answers.values():
                failures.append(f"{route}: {url} answered {answers} to a member of A, not 404")
        after = db_snapshot()
        if changed := db_changes(before, after):
            failures.append(f"{route}: A's requests to {urls} changed {changed}")
            before = after
    return failures, checked


def test_a_member_of_a_reaches_nothing_of_b(tenant_a, tenant_b):
    failures, checked = _isolation_failures(tenant_a, tenant_b)
    assert not failures, "\n".join(failures)
    assert checked > 100


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=why)) for name, why in KNOWN_BUGS.items()]
)
def test_known_isolation_bugs(tenant_a, tenant_b, name):
    failures, _checked = _isolation_failures(tenant_a, tenant_b, route_names={name})
    assert not failures, "\n".join(failures)


def test_a_rep_cannot_change_anything_of_their_workspace(tenant_b):
    """B's Rep POSTs to every page of B: 403 (or 405 where the page takes no POST; 200 on a page that only
    shows), and no row changes."""
    rep = tenant_b.client(tenant_b.rep)
    failures = []
    before = db_snapshot()
    for route in [r for r in page_routes() if r.in_workspace and r.name not in REP_MAY_POST]:
        try:
            url = fill(route, values_for(route, tenant_b))
        except Unfillable as exc:
            failures.append(str(exc))
            continue
        response = rep.post(url)
        if response.status_code not in (403, 405) and not (route.name in READ_PAGES and response.status_code == 200):
            failures.append(f"{route}: a Rep's POST {url} answered {response.status_code}, not 403")
        after = db_snapshot()
        if changed := db_changes(before, after):
            failures.append(f"{route}: a Rep's POST {url} changed {changed}")
            before = after
    assert not failures, "\n".join(failures)


# -- the API ---------------------------------------------------------------------------------------------------


def _ninja_path(path: str) -> str:
    return re.sub(r"\{(?:\w+:)?(\w+)\}", r"<\1>", path).lstrip("/")


def api_operations() -> dict[str, tuple[list[str], tuple[str, ...]]]:
    """Route (Django form, without converters) -> (methods, scopes any one of which will do)."""
    found = {}
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                scopes = tuple(s for auth in op.auth_callbacks for s in getattr(auth, "scopes", ()))
                found[_ninja_path(path)] = ([m for m in op.methods if m != "HEAD"], scopes)
    return found


def _plain(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", route).removeprefix("api/v1/")


def api_routes():
    return [r for r in routes() if r.is_api and r.name not in PUBLIC]


def _call(client: Client, method: str, url: str, raw: str | None = None):
    headers = {"Authorization": f"Bearer {raw}"} if raw else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.generic(method, url, data="{}", content_type="application/json", headers=headers)


def test_every_api_operation_needs_a_key_with_its_scope(tenant_a):
    operations, client, failures = api_operations(), Client(), []
    for route in api_routes():
        if _plain(route.route) not in operations:
            failures.append(f"{route}: no django-ninja operation found for it")
            continue
        methods, scopes = operations[_plain(route.route)]
        if not scopes:
            failures.append(f"{route}: takes no API key at all (add it to PUBLIC if it must be public)")
            continue
        url = fill(route, {"pk": 1})
        for method in methods:
            for raw, expected, who in [(None, 401, "no key"), ("sbk_not-a-key", 401, "an unknown key")] + [
                (tenant_a.keys[s], 403, f"a key with only {s}")
                for s in sorted(tenant_a.keys)
                if s not in scopes and s != "all"
            ]:
                before = db_snapshot()
                response = _call(client, method, url, raw)
                if response.status_code != expected:
                    failures.append(f"{route}: {method} with {who} answered {response.status_code}, not {expected}")
                elif response.json().get("error", {}).get("code") not in ("unauthorized", "insufficient_scope"):
                    failures.append(f"{route}: {method} with {who}: error body {response.json()}")
                if changed := db_changes(before, db_snapshot()):
                    failures.append(f"{route}: {method} with {who} changed {changed}")
    assert not failures, "\n".join(failures)


def test_an_api_key_reaches_only_its_own_workspace(tenant_a, tenant_b):
    """A's key with every scope asks for B's rows by id: 404. B's own key gets them (the ids are real)."""
    client, failures = Client(), []
    for route in [r for r in api_routes() if r.url_args]:
        try:
            url = fill(route, values_for(route, tenant_b))
        except Unfillable as exc:
            failures.append(str(exc))
            continue
        if (status := _call(client, "GET", url, tenant_b.keys["all"]).status_code) != 200:
            failures.append(f"{route}: B's own key answered {status} at {url}: the filled values name nothing")
        if (status := _call(client, "GET", url, tenant_a.keys["all"]).status_code) != 404:
            failures.append(f"{route}: A's key answered {status} at {url}, not 404")
    assert not failures, "\n".join(failures)


def test_a_key_writes_only_into_its_own_workspace(tenant_a, tenant_b):
    """An event sent with A's key lands in A, whatever it names: B's prospects and B's people stay untouched."""
    b_prospect = tenant_b.objects["prospect"]
    before = db_snapshot()
    response = Client().post(
        "/api/v1/events",
        data={"type": "prospect", "id": "p-1", "prospect": {"email": b_prospect.email, "first_name": "Taken"}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {tenant_a.keys['events:write']}"},
    )
    assert response.status_code == 202, response.content
    b_prospect.refresh_from_db()
    assert b_prospect.first_name == "Dana"
    assert b_prospect.workspace == tenant_b.workspace
    from activities.models import Prospect

    assert Prospect.objects.get(workspace=tenant_a.workspace, email=b_prospect.email).first_name == "Taken"
    assert db_changes(before, db_snapshot())  # something was written: to A


# -- the admin -------------------------------------------------------------------------------------------------


def test_the_admin_is_for_staff_only(tenant_a, tenant_b):
    """The Django admin spans workspaces by design (operators run it), so a workspace role, even Owner, opens
    none of it: every admin route sends a non-staff person to the admin's sign-in, for GET and POST."""
    owner = tenant_a.client(tenant_a.owner)
    values = {"object_id": tenant_b.objects["connection"].pk, "content_type_id": 1, "app_label": "integrations",
              "pk": tenant_b.objects["sync_run"].pk, "id": tenant_b.owner.pk}  # fmt: skip
    failures = []
    before = db_snapshot()
    for route in [r for r in routes() if r.is_admin and r.name]:
        if route.name in ("admin:login", "admin:logout"):
            continue  # the sign-in page itself, and signing out, which needs no rights
        url = fill(route, values)
        # Every route is read; those that change something are also posted to.
        methods = (
            ("get", "post") if re.search(r"_(add|change|delete|cancel|password_change)$", route.name) else ("get",)
        )
        for method in methods:
            response = getattr(owner, method)(url)
            if response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
                failures.append(f"{route}: {method.upper()} {url} answered {response.status_code} to a non-staff owner")
    if changed := db_changes(before, db_snapshot()):
        failures.append(f"non-staff requests to the admin changed {changed}")
    assert not failures, "\n".join(failures)
