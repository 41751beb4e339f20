"""The sync scope page: workspace admins set per-object inclusion filters (validated against describe) and a
first-import lookback; the next full sync imports exactly what they select from the sandbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sync.models import SyncedRecord, SyncFilter, SyncObjectConfig
from sync.services.runs import full_sync_start, run_execute
from sync.types import RunStatus
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from tests.sync.conftest import sf_stamp
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_membership):
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    return client


def scope_post(*, filters=(), lookback=("", ""), enabled=True, deleted=()):
    data = {"scope-enabled": "on" if enabled else "", "scope-lookback_field": lookback[0],
            "scope-lookback_days": lookback[1], "filters-TOTAL_FORMS": str(len(filters)),
            "filters-INITIAL_FORMS": "0", "filters-MIN_NUM_FORMS": "0", "filters-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, (field, operator, values) in enumerate(filters):
        data.update({f"filters-{i}-field": field, f"filters-{i}-operator": operator, f"filters-{i}-values": values})
        if i in deleted:
            data[f"filters-{i}-DELETE"] = "on"
    return data


def test_admin_sets_filters_and_lookback_and_the_next_full_sync_imports_only_those(
    admin_client, workspace, sf_connection, org_control, sandbox_org
):
    control, org = org_control
    owner = sandbox_org.admin_user.id
    old = sf_stamp(timezone.now() - dt.timedelta(days=90))
    new = sf_stamp(timezone.now() - dt.timedelta(days=1))  # the bulk loader leaves CreatedDate empty otherwise
    control.load_records(org, "Account", [
        {"Name": "Keep", "Type": "Customer - Direct", "AnnualRevenue": 5000, "OwnerId": owner, "CreatedDate": new},
        {"Name": "Prospect", "Type": "Prospect", "AnnualRevenue": 5000, "OwnerId": owner, "CreatedDate": new},
        {"Name": "Small", "Type": "Customer - Direct", "AnnualRevenue": 10, "OwnerId": owner, "CreatedDate": new},
        {"Name": "Old", "Type": "Customer - Direct", "AnnualRevenue": 5000, "OwnerId": owner, "CreatedDate": old},
    ])  # fmt: skip
    url = reverse("sync_scope", args=[workspace.slug, "Account"])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'value="AnnualRevenue"' in page.content  # field choices come from describe

    response = admin_client.post(url, scope_post(
        filters=[("Type", "in", "Customer - Direct, Customer - Channel"), ("OwnerId", "in", owner),
                 ("AnnualRevenue", "gte", "1000"), ("Industry", "eq", "x")],
        lookback=("CreatedDate", "30"), deleted=(3,),
    ))  # fmt: skip
    assert response.status_code == 302, response.context and response.context["formset"].errors
    config = SyncObjectConfig.objects.get(workspace=workspace, sobject="Account")
    assert (config.lookback_field, config.lookback_days) == ("CreatedDate", 30)
    assert list(config.filters.values_list("field", "operator", "values")) == [
        ("Type", "in", ["Customer - Direct", "Customer - Channel"]), ("OwnerId", "in", [owner]),
        ("AnnualRevenue", "gte", ["1000"]),
    ]  # fmt: skip

    run = run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Account"]).pk)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    names = SyncedRecord.objects.filter(workspace=workspace, sobject="Account", is_deleted=False)
    assert set(names.values_list("name", flat=True)) == {"Keep"}

    again = admin_client.get(url)  # saved filters come back into the form
    assert b"Customer - Direct, Customer - Channel" in again.content


@pytest.mark.parametrize(
    ("filters", "lookback", "message"),
    [
        ([("AnnualRevenue", "gte", "lots")], ("", ""), "is not a number"),
        ([("OwnerId", "in", "005; DROP")], ("", ""), "is not a Salesforce id"),
        ([("Name", "eq", "")], ("", ""), "Enter a value."),
        ([("Name') OR Id != null OR Name IN ('", "eq", "x")], ("", ""), "Select a valid choice."),
        ([("AnnualRevenue", "contains", "10")], ("", ""), "is not a text field"),
        ([("AnnualRevenue", "gte", "1e400")], ("", ""), "Salesforce numbers have at most 18 digits"),
        ([("AnnualRevenue", "gte", "9" * 5000)], ("", ""), "Salesforce numbers have at most 18 digits"),
        ([("Type", "eq", "Customer")], ("", ""), "is not a value of"),
        ([], ("", "30"), "Pick the date the lookback applies to."),
        ([], ("CreatedDate", ""), "How many days back"),
    ],
)
def test_bad_filters_get_clear_form_errors_and_nothing_is_saved(
    admin_client, workspace, sf_connection, filters, lookback, message
):
    url = reverse("sync_scope", args=[workspace.slug, "Account"])
    response = admin_client.post(url, scope_post(filters=filters, lookback=lookback))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SyncFilter.objects.exists()
    assert SyncObjectConfig.objects.get(workspace=workspace, sobject="Account").lookback_field == ""


def test_reps_cannot_change_the_scope(client, workspace, sf_connection):
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    client.login(email=rep.user.email, password=DEFAULT_PASSWORD)
    url = reverse("sync_scope", args=[workspace.slug, "Account"])
    assert client.get(url).status_code == 403
    assert client.post(url, scope_post(filters=[("Type", "eq", "Prospect")])).status_code == 403
    assert not SyncFilter.objects.exists()


def saved_filter(workspace, field, operator, values):
    config = SyncObjectConfig.objects.get(workspace=workspace, sobject="Account")
    SyncFilter.objects.create(object_config=config, field=field, operator=operator, values=values)
    return config


def browser_post(rows, *, initial, **extra):
    """What a browser posts: every row shown, the blank one for a new filter with its default condition too."""
    data = scope_post(filters=rows)
    data["filters-INITIAL_FORMS"] = str(initial)
    data.update(extra)
    return data


@pytest.mark.parametrize("how", ["remove box", "field set back to —"])
def test_removing_the_only_filter_saves_an_unfiltered_scope(admin_client, workspace, sf_connection, how):
    url = reverse("sync_scope", args=[workspace.slug, "Account"])
    admin_client.get(url)  # makes the object configs
    config = saved_filter(workspace, "Type", "eq", ["Prospect"])
    rows = [("Type", "eq", "Prospect") if how == "remove box" else ("", "eq", "Prospect"), ("", "eq", "")]
    data = browser_post(rows, initial=1)
    if how == "remove box":
        data["filters-0-DELETE"] = "on"
    else:
        data["filters-0-values"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    assert not config.filters.exists()


def test_a_value_without_a_field_is_a_clear_error(admin_client, workspace, sf_connection):
    url = reverse("sync_scope", args=[workspace.slug, "Account"])
    response = admin_client.post(url, browser_post([("", "eq", "Prospect")], initial=0))
    assert response.status_code == 200
    assert "Pick the field this value is for" in response.content.decode()


def test_picklist_values_are_offered_to_choose_from(admin_client, workspace, sf_connection):
    html = admin_client.get(reverse("sync_scope", args=[workspace.slug, "Account"])).content.decode()
    assert 'id="scope-picklists"' in html and '"value": "Customer - Direct"' in html
    assert "js/sync_scope.js" in html


@pytest.fixture
def synced_accounts(admin_client, workspace, sf_connection, org_control):
    """Ten Accounts synced: six customers, four prospects."""
    control, org = org_control
    control.load_records(org, "Account", [
        {"Name": f"A{i}", "Type": "Customer - Direct" if i < 6 else "Prospect"} for i in range(10)
    ])  # fmt: skip
    assert run_execute(run_id=full_sync_start(workspace=workspace, sobjects=["Account"]).pk).status == "succeeded"
    return reverse("sync_scope", args=[workspace.slug, "Account"])


def test_preview_counts_what_the_scope_keeps_without_saving(admin_client, workspace, synced_accounts):
    data = browser_post([("Type", "eq", "Prospect")], initial=0, action="preview")
    response = admin_client.post(synced_accounts, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This scope keeps 4 of the 10 Account records in Salesforce (the saved scope: 10)." in html
    assert "Saving drops 6 Account records" in html
    assert not SyncFilter.objects.exists()

    as_json = admin_client.post(synced_accounts, data, headers={"Accept": "application/json"}).json()
    assert (as_json["keeps"], as_json["total"], as_json["drops"], as_json["synced"]) == (4, 10, 6, 10)
    bad = browser_post([("Type", "eq", "Nope")], initial=0, action="preview")
    answer = admin_client.post(synced_accounts, bad, headers={"Accept": "application/json"}).json()
    assert answer["ok"] is False and "is not a value of" in " ".join(answer["problems"])


def test_a_change_that_drops_records_asks_before_it_saves(admin_client, workspace, synced_accounts):
    data = browser_post([("Type", "eq", "Customer - Direct")], initial=0)
    response = admin_client.post(synced_accounts, data)
    assert response.status_code == 200  # not saved: asked first
    html = response.content.decode()
    assert 'data-testid="scope-drop-warning"' in html and "Saving drops 4 Account records" in html
    assert "Save and drop 4 records" in html
    assert not SyncFilter.objects.exists()

    response = admin_client.post(synced_accounts, {**data, "confirm_drops": "1"})
    assert response.status_code == 302
    assert list(SyncFilter.objects.values_list("field", "values")) == [("Type", ["Customer - Direct"])]


def test_a_change_that_keeps_every_record_saves_at_once(admin_client, workspace, synced_accounts):
    data = browser_post([("Type", "in", "Customer - Direct, Prospect")], initial=0)
    assert admin_client.post(synced_accounts, data).status_code == 302
    assert SyncFilter.objects.count() == 1
