import pytest
from django.urls import reverse

from mappings.models import SettingsChange
from mappings.services import settings_section_save
from tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

MODELS = ["taskfieldmapping", "sequencefieldmapping", "creationdefault", "optoutfield", "syncfieldmapping",
          "crmsettings", "settingschange"]  # fmt: skip


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render_with_filters_and_search(staff_client, model):
    ws = WorkspaceFactory()
    settings_section_save(
        workspace=ws, section="task:call", rows=[{"target_field": "Type", "source": "constant", "value": "Call"}]
    )
    url = reverse(f"admin:mappings_{model}_changelist")
    assert staff_client.get(url, {"q": "Type", "workspace__id__exact": ws.pk}).status_code == 200


def test_history_is_read_only_in_admin(staff_client):
    change = settings_section_save(
        workspace=WorkspaceFactory(),
        section="task:sms",
        rows=[{"target_field": "Type", "source": "constant", "value": "SMS"}],
    )
    url = reverse("admin:mappings_settingschange_change", args=[change.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"summary": "tampered"})
    assert SettingsChange.objects.get(pk=change.pk).summary == "Added Type = SMS"
    assert staff_client.get(reverse("admin:mappings_settingschange_add")).status_code == 403
