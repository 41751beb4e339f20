"""The pages: Prospects filters (type-aware) over synced sandbox data, sync health, start/cancel, progress JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mappings.models import SyncFieldMapping
from sync.models import SyncRun
from sync.services.runs import full_sync_start, run_execute
from sync.types import RunKind, RunStatus
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


def test_prospects_page_offers_picklist_choices_and_shows_display_names(prospects, workspace):
    response = prospects.get(reverse("crm_prospects", args=[workspace.slug]))
    fields = {f.name: f for f in response.context["fields"]}
    assert fields["LeadSource"].kind == "choice"
    assert "Web" in fields["LeadSource"].choices
    assert (fields["Birthdate"].kind, fields["Score__c"].kind, fields["Title"].kind) == (
        "range_date", "range_number", "text",
    )  # fmt: skip
    assert b"Job title" in response.content


def test_health_page_shows_objects_and_progress_json(prospects, workspace):
    response = prospects.get(reverse("sync_health", args=[workspace.slug]))
    assert response.status_code == 200
    assert b'data-object="Contact"' in response.content
    run = SyncRun.objects.get(workspace=workspace, kind=RunKind.FULL)
    data = prospects.get(reverse("sync_run_progress", args=[workspace.slug, run.pk])).json()
    assert data["records_done"] == 3
    assert data["percent"] == 100
    assert data["status"] == "succeeded"


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
