import pytest

from mappings.models import SettingsChange, TaskFieldMapping
from tests.mappings.conftest import crm_url, formset_data, task_rows

pytestmark = pytest.mark.django_db


def edit_type(client, ws, value):
    rows = task_rows(ws, "call")
    rows[0]["constant"] = value
    return client.post(crm_url(ws, "tasks/call/"), formset_data("task-call", rows, initial=len(rows)))


def test_history_lists_changes_and_revert_puts_the_mapping_back(owner_client, owner, connected):
    ws = owner.workspace
    owner_client.get(crm_url(ws, "tasks/call/"))
    edit_type(owner_client, ws, "Meeting")
    change = SettingsChange.objects.filter(section="task:call").first()
    html = owner_client.get(crm_url(ws, "history/")).content.decode()
    assert '<th scope="row">Type</th><td class="">“Call”</td><td class="">“Meeting”</td>' in html
    assert owner.user.email in html
    assert "Task Mappings · Call" in html
    response = owner_client.post(crm_url(ws, f"history/{change.pk}/revert/"), follow=True)
    assert "reverted" in response.content.decode()
    assert TaskFieldMapping.objects.get(workspace=ws, activity_kind="call", target_field="Type").value == "Call"
    assert SettingsChange.objects.filter(reverted_change=change, actor=owner.user).exists()


def test_rep_sees_history_but_cannot_revert(client, owner_client, owner, rep, connected):
    ws = owner.workspace
    owner_client.get(crm_url(ws, "tasks/call/"))
    edit_type(owner_client, ws, "Meeting")
    change = SettingsChange.objects.filter(section="task:call").first()
    client.force_login(rep.user)
    html = client.get(crm_url(ws, "history/")).content.decode()
    assert "Type = Meeting" in html
    assert ">Revert</button>" not in html
    assert client.post(crm_url(ws, f"history/{change.pk}/revert/")).status_code == 403


def test_revert_of_another_workspace_change_is_404(owner_client, owner, connected):
    from mappings.services import settings_section_save
    from tests.factories import WorkspaceFactory

    other = settings_section_save(
        workspace=WorkspaceFactory(),
        section="task:call",
        rows=[{"target_field": "Type", "source": "constant", "value": "x"}],
    )
    assert owner_client.post(crm_url(owner.workspace, f"history/{other.pk}/revert/")).status_code == 404


def test_revert_needs_post(owner_client, owner, connected):
    owner_client.get(crm_url(owner.workspace, "tasks/call/"))
    change = SettingsChange.objects.first()
    assert owner_client.get(crm_url(owner.workspace, f"history/{change.pk}/revert/")).status_code == 405
