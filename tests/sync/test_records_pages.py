"""The records pages (Accounts, Prospects, Opportunities, Cases): mapped fields as columns, a total count, paging,
links to Salesforce, and an empty state that says why the list is empty."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from mappings.models import SyncFieldMapping
from sync.models import SyncFilter, SyncObjectConfig
from sync.services.runs import full_sync_start, run_execute, sync_objects_ensure
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_membership):
    client.login(email=admin_membership.user.email, password=DEFAULT_PASSWORD)
    return client


def sync_all(workspace, sobjects=None):
    run = run_execute(run_id=full_sync_start(workspace=workspace, sobjects=sobjects).pk)
    assert run.status == "succeeded", run.error_message


def page(client, workspace, key, **params):
    response = client.get(reverse(f"crm_{key}", args=[workspace.slug]), params)
    assert response.status_code == 200
    return response, html_lib.unescape(response.content.decode())


def test_accounts_show_mapped_fields_count_pages_and_salesforce_links(admin_client, workspace, sf_connection,
                                                                      org_control):  # fmt: skip
    control, org = org_control
    control.load_records(org, "Account", [{"Name": f"Acme {i:03d}", "Industry": "Energy" if i % 2 else "Retail",
                                           "NumberOfEmployees": i} for i in range(120)])  # fmt: skip
    # Mapped but not filterable: still a column.
    SyncFieldMapping.objects.create(workspace=workspace, sobject="Account", field_name="Industry",
                                    display_name="Industry", field_type="picklist")  # fmt: skip
    SyncFieldMapping.objects.create(workspace=workspace, sobject="Account", field_name="NumberOfEmployees",
                                    display_name="Employees", field_type="int", filterable=True)  # fmt: skip
    sync_all(workspace, ["Account"])

    response, html = page(admin_client, workspace, "accounts")
    headers = re.findall(r"<th>(.*?)</th>", html.split('data-testid="record-list"')[1].split("</thead>")[0])
    assert headers == ["Name", "Type", "Employees", "Industry", "Salesforce id"]
    assert "120 Account records · showing 1–50" in html
    assert "Page 1 of 3" in html
    first = response.context["rows"][0]
    assert first.name == "Acme 000"
    link = f'href="{sf_connection.instance_url.rstrip("/")}/{first.sf_id}"'
    assert link in html and 'target="_blank" rel="noopener"' in html
    assert "<td>Retail</td>" in html

    response, html = page(admin_client, workspace, "accounts", page=3)
    assert [r.name for r in response.context["rows"]][0] == "Acme 100" and len(response.context["rows"]) == 20
    assert "showing 101–120" in html and "Page 3 of 3" in html and "Next" not in html

    response, html = page(admin_client, workspace, "accounts", f_NumberOfEmployees__from="100")
    assert "20 Account records match" in html and "Page" not in html  # one page: no pager


def test_empty_lists_say_why(admin_client, workspace, sf_connection, org_control):
    _, html = page(admin_client, workspace, "opportunities")
    assert "Opportunities have not been imported yet" in html

    sync_all(workspace)
    _, html = page(admin_client, workspace, "opportunities")
    assert 'data-reason="org_empty"' in html
    assert "The connected org has no Opportunities: the last import found none." in html

    _, html = page(admin_client, workspace, "accounts", q="nobody")
    assert "No synced Accounts match this search or these filters." in html and "Clear the search" in html

    config = SyncObjectConfig.objects.get(workspace=workspace, sobject="Case")
    SyncFilter.objects.create(object_config=config, field="Status", operator="eq", values=["Escalated"])
    _, html = page(admin_client, workspace, "cases")
    assert "No Cases in Salesforce match the sync scope's filters." in html
    assert reverse("sync_scope", args=[workspace.slug, "Case"]) in html

    SyncObjectConfig.objects.filter(workspace=workspace, sobject="Opportunity").update(enabled=False)
    _, html = page(admin_client, workspace, "opportunities")
    assert "Opportunities are not in the sync scope: syncing Opportunity is off." in html


def test_without_a_connection_the_list_says_so(admin_client, workspace):
    sync_objects_ensure(workspace=workspace)
    _, html = page(admin_client, workspace, "prospects")
    assert "Salesforce is not connected, so no Contacts are synced yet." in html
    assert reverse("integration_list", args=[workspace.slug]) in html
