"""The Django admin shows integration rows without secrets, and its actions go through the services."""

import pytest
from django.urls import reverse

from integrations.models import Connection, ConnectionAction, ConnectionEvent, ConnectionStatus, OAuthCredential
from tests.factories import UserFactory
from tests.integrations.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_connection_change_page_shows_fingerprints_not_tokens(staff_client):
    connection = ConnectionFactory()
    credential = OAuthCredential.objects.get(connection=connection)

    page = staff_client.get(reverse("admin:integrations_connection_change", args=[connection.pk])).content.decode()

    assert "sha256:" in page
    assert credential.access_token not in page and credential.refresh_token not in page


def test_require_reconnect_action_pauses_the_connection_and_is_audited(staff_client):
    connection = ConnectionFactory()

    staff_client.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "require_reconnect", "_selected_action": [connection.pk]},
    )

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.RECONNECT_REQUIRED
    assert ConnectionEvent.objects.filter(connection=connection, action=ConnectionAction.RECONNECT_REQUIRED).exists()


def test_disconnect_action_confirms_then_revokes_and_deletes(staff_client, sandbox_org, salesforce_connection):
    url = reverse("admin:integrations_connection_changelist")
    selection = {"action": "disconnect", "_selected_action": [salesforce_connection.pk]}

    confirm = staff_client.post(url, selection)
    assert "Yes, disconnect" in confirm.content.decode()
    assert Connection.objects.filter(pk=salesforce_connection.pk).exists()

    staff_client.post(url, {**selection, "post": "yes"})
    assert not Connection.objects.filter(pk=salesforce_connection.pk).exists()
    assert ConnectionEvent.objects.filter(action=ConnectionAction.DISCONNECTED).exists()


def test_audit_events_are_read_only(staff_client):
    ConnectionFactory()
    response = staff_client.get(reverse("admin:integrations_connectionevent_add"))
    assert response.status_code == 403
