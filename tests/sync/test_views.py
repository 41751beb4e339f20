"""The pages: Prospects filters (type-aware) over synced sandbox data, sync health, start/cancel, progress JSON."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mappings.models import SyncFieldMapping
from sync.models import ObjectSyncState, SyncRun, SyncRunStep, SyncSettings
from sync.services.runs import full_sync_start, run_execute, run_start
from sync.types import RunKind, RunStatus
from sync.views import MAX_PAGE
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def prospects(workspace, sf_connection, org_control, client, admin_membership):
    control, org = org_control
    control.add_field(org, "Contact", "Score__c", "double")
    control.load_records(
        org,
        "Contact",
        [
            {"LastName": "Ada", "Email": "ada@x.test", "LeadSource": "Web", "Birthdate": "1990-01-05",
             "Title": "Head of Sales", "Score__c": 90},
            {"LastName": "Bob", "Email": "bob@x.test", "LeadSource": "Phone Inquiry", "Birthdate": "1985-06-01",
             "Title": "Engineer", "Score__c": 40},
            {"LastName": "Cy", "Email": "cy@x.test", "LeadSource": "Web", "Birthdate": "2001-12-31",
             "Title": "VP Sales", "Score__c": 70},
        ],
    )  # fmt: skip
    for name, label, ftype in [
        ("LeadSource", "Source", "picklist"),
        ("Birthdate", "Birthday", "date"),
        ("Title", "Job title", "string"),
        ("Score__c", "Score", "double"),
    ]:
        SyncFieldMapping.objects.create(
            workspace=workspace,
            sobject="Contact",
            field_name=name,
            display_name=label,
            field_type=ftype,
            filterable=True,
        )
    run = run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    assert run.status == RunStatus.SUCCEEDED
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    return client


def names(response):
    return [r.name for r in response.context["rows"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ada", "Bob", "Cy"]),
        ({"f_LeadSource": "Web"}, ["Ada", "Cy"]),
        ({"f_Birthdate__from": "1986-01-01", "f_Birthdate__to": "2001-12-31"}, ["Ada", "Cy"]),
        ({"f_Score__c__from": "50", "f_Score__c__to": "80"}, ["Cy"]),
        ({"f_Title": "sales"}, ["Ada", "Cy"]),
        ({"f_LeadSource": "Web", "f_Score__c__from": "80"}, ["Ada"]),
        ({"q": "bob@"}, ["Bob"]),
    ],
)
def test_prospects_page_filters_are_type_aware(prospects, workspace, params, expected):
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]), {"object": "Contact", **params})
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"f_Score__c__from": "50"}, ["Ada", "Cy"]),
        ({"f_Score__c__to": "80"}, ["Bob", "Cy"]),
        ({"f_Birthdate__to": "1995-01-01"}, ["Ada", "Bob"]),
        ({"f_Birthdate__from": "1986-01-01"}, ["Ada", "Cy"]),
        ({"f_Score__c__from": "not a number"}, ["Ada", "Bob", "Cy", "Dee"]),
    ],
)
def test_range_bounds_never_match_records_without_a_value(prospects, workspace, org_control, params, expected):
    """JSON null is neither a number nor a date: on SQLite it would compare as text above every number."""
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "Dee", "Email": "dee@x.test", "Title": "Analyst"}])
    assert run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk).status == "succeeded"
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]), {"object": "Contact", **params})
    assert names(response) == expected


def test_prospects_page_offers_picklist_choices_and_shows_display_names(prospects, workspace):
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]))
    fields = {f.name: f for f in response.context["fields"]}
    assert fields["LeadSource"].kind == "choice"
    assert "Web" in fields["LeadSource"].choices
    assert (fields["Birthdate"].kind, fields["Score__c"].kind, fields["Title"].kind) == (
        "range_date", "range_number", "text",
    )  # fmt: skip
    assert b"Job title" in response.content


@pytest.mark.parametrize(("value", "shown"), [(None, ""), (True, "Yes"), (350000.0, "350,000"), (12.5, "12.5"),
                                              (1234.567, "1,234.57"), ("Web", "Web"), (90, "90")])  # fmt: skip
def test_record_cells_read_like_numbers_not_floats(value, shown):
    from sync.templatetags.sync_tags import cell

    assert cell(value) == shown


def test_prospects_page_shows_numbers_as_people_write_them(prospects, workspace, org_control):
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "Eve", "Email": "eve@x.test", "Score__c": 1250000}])
    run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Contact"]).pk)
    html = prospects.get(reverse("crm_prospects", args=[workspace.slug]), {"q": "eve@"}).content.decode()
    assert "<td>1,250,000</td>" in html and "1250000.0" not in html


def health_cells(client, workspace, sobject: str) -> dict[str, str]:
    """The text a person reads in an object's row of the health table, by column (data-testid)."""
    html = client.get(reverse("sync_health", args=[workspace.slug])).content.decode()
    row = re.search(rf'<tr data-object="{sobject}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td data-testid="([\w-]+)">(.*?)</td>', row, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for name, text in cells}


def test_health_page_shows_objects_and_progress_json(prospects, workspace, sf_connection, org_control):
    response = prospects.get(reverse("sync_health", args=[workspace.slug]))
    assert response.status_code == 200
    assert b'data-object="Contact"' in response.content
    full = SyncRun.objects.get(workspace=workspace, kind=RunKind.FULL)
    # Right after the import: "Last run" names the import and shows its own counts; the lag does not claim
    # "up to date" before an incremental window has read the changes made since.
    assert health_cells(prospects, workspace, "Contact") == {
        "last-run": f"Full sync #{full.pk} · just now 3 records · 0 deletes · 3 API calls",
        "lag": "imported, not updated yet",
        "records": "3",
        "reconcile": "not run yet",
    }
    assert health_cells(prospects, workspace, "Account") == {
        "last-run": "never",
        "lag": "not synced yet",
        "records": "0",
        "reconcile": "not run yet",
    }
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "Dee", "Email": "dee@x.test"}])
    incremental = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL)
    assert run_execute(run_id=incremental.pk).status == RunStatus.SUCCEEDED
    cells = health_cells(prospects, workspace, "Contact")
    assert cells["last-run"] == f"Incremental #{incremental.pk} · just now 4 records · 0 deletes · 1 API calls"
    assert (cells["lag"], cells["records"]) == ("up to date", "4")

    reconcile = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.RECONCILE, sobjects=["Contact"])
    assert run_execute(run_id=reconcile.pk).status == RunStatus.SUCCEEDED
    assert health_cells(prospects, workspace, "Contact")["reconcile"] == "match last ran just now"

    # Later, with the worker stopped: how long ago, how far behind, when the count check last ran.
    now = timezone.now()
    ObjectSyncState.objects.filter(object_config__workspace=workspace, object_config__sobject="Contact").update(
        covered_until=now - dt.timedelta(minutes=12, seconds=30),
        reconcile_at=now - dt.timedelta(hours=2, minutes=5),
    )
    SyncRunStep.objects.filter(run__workspace=workspace).update(finished_at=now - dt.timedelta(minutes=9))
    SyncRunStep.objects.filter(run=reconcile).update(finished_at=now - dt.timedelta(minutes=3, seconds=10))
    cells = health_cells(prospects, workspace, "Contact")
    assert cells["last-run"].startswith(f"Reconcile #{reconcile.pk} · 3 minutes ago")
    assert (cells["lag"], cells["reconcile"]) == ("12 min behind", "match last ran 2 hours ago")
    SyncSettings.objects.filter(workspace=workspace).update(interval_minutes=15)  # 12 min is within the interval
    assert health_cells(prospects, workspace, "Contact")["lag"] == "up to date"
    data = prospects.get(reverse("sync_run_progress", args=[workspace.slug, full.pk])).json()
    assert data["records_done"] == 3
    assert data["percent"] == 100
    assert data["status"] == "succeeded"
    assert [(s["sobject"], s["status"], s["records_done"], s["records_expected"]) for s in data["steps"]] == [
        ("Contact", "done", 3, 3)
    ]


def test_a_failed_window_is_not_up_to_date(prospects, workspace, sf_connection, org_control):
    control, org = org_control
    ok = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"])
    run_execute(run_id=ok.pk)
    assert health_cells(prospects, workspace, "Contact")["lag"] == "up to date"
    control.fault(org=org, path="/services/data/*/queryAll*", status=400, error_code="MALFORMED_QUERY", times=5)
    failing = run_start(workspace=workspace, connection=sf_connection, kind=RunKind.INCREMENTAL, sobjects=["Contact"])
    run_execute(run_id=failing.pk)
    control.clear_faults()
    assert SyncRunStep.objects.get(run=failing).status == "failed"
    assert health_cells(prospects, workspace, "Contact")["lag"] == "last update failed"


def test_admin_starts_and_cancels_a_full_sync_reps_cannot(workspace, sf_connection, client, admin_membership):
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    response = client.post(reverse("sync_full_start", args=[workspace.slug]))
    assert response.status_code == 302
    run = SyncRun.objects.get(workspace=workspace, kind=RunKind.FULL)
    client.post(reverse("sync_run_cancel", args=[workspace.slug, run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED

    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    client.login(email=rep.user.email, password=DEFAULT_PASSWORD)
    assert client.post(reverse("sync_full_start", args=[workspace.slug])).status_code == 403


@pytest.mark.parametrize(
    ("lag_minutes", "said"),
    [(None, "not synced yet"), (0, "up to date"), (6, "up to date"), (7, "7 min behind"), (59.9, "59 min behind"),
     (125, "2 hours behind"), (4 * 24 * 60, "4 days behind")],
)  # fmt: skip
def test_lag_reads_against_the_sync_interval(lag_minutes, said):
    from sync.humanize import lag_words

    lag = None if lag_minutes is None else dt.timedelta(minutes=lag_minutes)
    assert lag_words(lag, dt.timedelta(minutes=5)) == said


@pytest.mark.parametrize(("page", "shown"), [("99999999999999999999", 1), ("abc", 1), ("-1", 1), ("2", 1)])
def test_out_of_range_pages_are_clamped_not_a_500(prospects, workspace, page, shown):
    """Past the last page the list shows its last page (here the only one), never an empty page or a 500."""
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]), {"object": "Contact", "page": page})
    assert response.status_code == 200
    assert response.context["page"] == shown
    assert names(response) == ["Ada", "Bob", "Cy"]


def test_past_the_count_cap_page_numbers_are_still_bounded(prospects, workspace, monkeypatch):
    monkeypatch.setattr("sync.selectors.COUNT_CAP", 2)
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]), {"object": "Contact", "page": "9" * 20})
    assert response.status_code == 200
    context = response.context
    assert (context["page"], context["capped"], context["last_page"]) == (MAX_PAGE, True, None)
    assert "More than 2 Contact records" in response.content.decode()
