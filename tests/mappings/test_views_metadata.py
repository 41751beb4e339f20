"""Pages keep working without an admin connection, with Salesforce unreachable, and when fields disappear."""

from datetime import timedelta

import pytest

from integrations.models import ConnectionStatus, DescribeCache
from mappings.models import SettingsChange, TaskFieldMapping
from tests.mappings.conftest import cached_connection, crm_url, formset_data, section_context, task_rows

pytestmark = pytest.mark.django_db

PAGES = [
    "tasks/call/", "contact/sequence/", "account/defaults/", "lead/defaults/",
    "contact/sms/", "contact/sync/", "advanced/", "history/",
]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_without_admin_connection_every_page_renders_with_an_explanation(owner_client, owner, path):
    response = owner_client.get(crm_url(owner.workspace, path))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Salesforce is not connected" in html
    assert "Go to Integrations" in html
    assert not SettingsChange.objects.exists()


def test_without_connection_choices_are_disabled_and_saves_refused(owner_client, owner):
    TaskFieldMapping.objects.create(
        workspace=owner.workspace, activity_kind="call", target_field="Type", source="constant", value="Call"
    )
    response = owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    forms = section_context(response)["formset"].forms
    assert len(forms) == 1 and forms[0].fields["target_field"].disabled
    assert "Save mappings" not in response.content.decode()
    rows = task_rows(owner.workspace, "call")
    rows[0]["constant"] = "Meeting"
    response = owner_client.post(crm_url(owner.workspace, "tasks/call/"), formset_data("task-call", rows, initial=1))
    assert response.status_code == 302
    assert TaskFieldMapping.objects.get().value == "Call"
    follow = owner_client.get(response["Location"])
    assert "Nothing was saved" in follow.content.decode()


def test_saved_preview_still_renders_without_metadata(owner_client, owner):
    TaskFieldMapping.objects.create(
        workspace=owner.workspace, activity_kind="call", target_field="Subject", source="variable", value="subject"
    )
    response = owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    assert section_context(response)["preview"].fields["Subject"] == "Call with Ada Lovelace"


def test_fresh_cache_shows_its_age(owner_client, owner, connected):
    html = owner_client.get(crm_url(owner.workspace, "tasks/call/")).content.decode()
    assert "Salesforce metadata of Acme Inc fetched" in html
    assert 'fetched <span data-testid="metadata-age">12 minutes ago</span>' in html
    assert "Refresh metadata" in html


def test_a_connection_to_reconnect_uses_the_stale_cache_under_the_banner_alone(owner_client, owner, describes):
    cached_connection(owner.workspace, describes, age=timedelta(days=2), status=ConnectionStatus.RECONNECT_REQUIRED)
    response = owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="reconnect-banner"') == 1 and "Refresh token revoked." in html
    assert "could not be reached" not in html and 'class="message error"' not in html  # the banner says it once
    assert "Showing the fields Salesforce listed before the admin connection needed reconnecting" in html
    assert "2 days ago" in html
    assert response.context["page"].editable  # cached choices are still good enough to edit


def test_unreachable_salesforce_without_cache_disables_choices(owner_client, owner, describes):
    connection = cached_connection(owner.workspace, describes, status=ConnectionStatus.RECONNECT_REQUIRED)
    DescribeCache.objects.filter(connection=connection).delete()
    response = owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    assert response.status_code == 200
    assert "field choices are disabled until it is reconnected" in response.content.decode()
    assert not response.context["page"].editable


def test_refresh_metadata_reports_failure_without_crashing(owner_client, owner, describes):
    cached_connection(owner.workspace, describes, status=ConnectionStatus.RECONNECT_REQUIRED)
    response = owner_client.post(
        crm_url(owner.workspace, "metadata/refresh/"), {"next": crm_url(owner.workspace, "contact/sequence/")}
    )
    assert response.status_code == 302
    assert response["Location"] == crm_url(owner.workspace, "contact/sequence/")
    assert (
        "cannot be refreshed until the admin connection is reconnected"
        in owner_client.get(response["Location"]).content.decode()
    )


def test_refresh_metadata_ignores_foreign_next(owner_client, owner, describes):
    cached_connection(owner.workspace, describes, status=ConnectionStatus.RECONNECT_REQUIRED)
    response = owner_client.post(crm_url(owner.workspace, "metadata/refresh/"), {"next": "https://evil.example/"})
    assert response["Location"] == crm_url(owner.workspace, "tasks/")


def test_rep_cannot_refresh_metadata(client, rep, connected):
    client.force_login(rep.user)
    assert client.post(crm_url(rep.workspace, "metadata/refresh/")).status_code == 403


def test_schema_drift_is_flagged_on_the_page_not_at_write_time(owner_client, owner, describes):
    connection = cached_connection(owner.workspace, describes)
    owner_client.get(crm_url(owner.workspace, "tasks/call/"))  # stock defaults include sb_recordingurl__c
    cache = DescribeCache.objects.get(connection=connection, sobject="Task")
    cache.payload = {
        **cache.payload,
        "fields": [f for f in cache.payload["fields"] if f["name"] != "sb_recordingurl__c"],
    }
    cache.save()
    response = owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    html = response.content.decode()
    assert 'data-testid="drift-warning"' in html
    assert html.count('data-testid="drift-flag"') == 1
    assert "sb_recordingurl__c (not available in Salesforce)" in html
    assert any("sb_recordingurl__c skipped" in w for w in section_context(response)["preview"].warnings)
    # Saving with the drifted row in place is refused with the reason beside it; removing it saves.
    rows = task_rows(owner.workspace, "call")
    index = next(i for i, r in enumerate(rows) if r["target_field"] == "sb_recordingurl__c")
    response = owner_client.post(
        crm_url(owner.workspace, "tasks/call/"), formset_data("task-call", rows, initial=len(rows))
    )
    assert response.status_code == 400
    assert "no longer exists" in section_context(response)["formset"].forms[index].errors["target_field"][0]
    rows[index]["DELETE"] = True
    response = owner_client.post(
        crm_url(owner.workspace, "tasks/call/"), formset_data("task-call", rows, initial=len(rows))
    )
    assert response.status_code == 302
    assert not TaskFieldMapping.objects.filter(target_field="sb_recordingurl__c", activity_kind="call").exists()


def test_a_deactivated_restricted_picklist_value_is_flagged_as_drift(owner_client, owner, describes):
    """Not only deleted fields drift: a saved value the org no longer accepts is flagged before write time."""
    connection = cached_connection(owner.workspace, describes)
    url = crm_url(owner.workspace, "tasks/call/")
    owner_client.get(url)
    rows = [
        *task_rows(owner.workspace, "call"),
        {"target_field": "CallType", "source": "constant", "constant": "Inbound"},
    ]
    assert owner_client.post(url, formset_data("task-call", rows, initial=len(rows) - 1)).status_code == 302
    assert 'data-testid="drift-flag"' not in owner_client.get(url).content.decode()

    cache = DescribeCache.objects.get(connection=connection, sobject="Task")
    call_type = next(f for f in cache.payload["fields"] if f["name"] == "CallType")
    next(p for p in call_type["picklistValues"] if p["value"] == "Inbound")["active"] = False
    cache.save()
    response = owner_client.get(url)
    html = response.content.decode().replace("&#x27;", "'")
    assert html.count('data-testid="drift-flag"') == 1
    assert "“Inbound” no longer fits this field" in html
    assert 'data-testid="drift-warning"' in html
    assert "CallType" not in section_context(response)["preview"].fields


def test_task_fields_salesforce_requires_are_reported_before_anyone_edits(owner_client, owner, describes):
    from tests.mappings.describes import sf_field

    describes["Task"]["fields"].append(sf_field("Region__c", "string", length=20, nillable=False, label="Region"))
    cached_connection(owner.workspace, describes)
    html = owner_client.get(crm_url(owner.workspace, "tasks/sms/")).content.decode()
    banner = html.split('data-testid="required-missing"')[1][:300]
    assert "Region (Region__c)" in banner
    assert "Status" not in banner  # required, but defaulted and set from the activity


def test_after_one_failed_describe_the_rest_come_from_cache_without_more_calls(owner, describes, monkeypatch):
    from integrations.services import metadata as integration_metadata
    from mappings.metadata import crm_metadata_get

    cached_connection(owner.workspace, describes, age=timedelta(days=1), status=ConnectionStatus.RECONNECT_REQUIRED)
    calls = []
    real = integration_metadata.describe_get
    monkeypatch.setattr("mappings.metadata.describe_get", lambda **kw: calls.append(kw["sobject"]) or real(**kw))
    metadata = crm_metadata_get(workspace=owner.workspace)
    assert calls == ["Task"]
    assert metadata.available and metadata.stale
    assert all(r.error is not None for r in metadata.results.values())
