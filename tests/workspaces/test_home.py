import pytest

from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


def _status_text(client, workspace) -> str:
    response = client.get(f"/w/{workspace.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('data-testid="home-status"') :]


def test_home_tells_a_rep_that_salesforce_is_not_connected_yet(client):
    rep = MembershipFactory(role=Role.REP)
    client.force_login(rep.user)
    text = _status_text(client, rep.workspace)
    assert "Not connected" in text
    assert "An admin has not connected Salesforce yet." in text
    assert "read-only for you" in text


def test_home_shows_the_org_and_asks_the_owner_to_connect_their_own_user(client, salesforce_connection):
    client.force_login(salesforce_connection.connected_by)
    text = _status_text(client, salesforce_connection.workspace)
    assert "Connected" in text
    assert salesforce_connection.org_id in text or salesforce_connection.org_name in text
    assert "Connect your own Salesforce user" in text
    assert "0 written · 0 pending · 0 failed" in text
