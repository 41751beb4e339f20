"""A rep whose Salesforce user is deactivated: the next refresh is refused and the connection needs a reconnect."""

import pytest
from django.urls import reverse

from integrations.errors import ReconnectRequired
from integrations.models import ConnectionAction, ConnectionEvent, ConnectionStatus
from integrations.providers.salesforce.client import SalesforceClient
from tests.factories import MembershipFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role


@pytest.mark.django_db
def test_a_deactivated_salesforce_user_makes_the_reps_connection_reconnect_required(
    sandbox, sandbox_org, salesforce_connect, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(role=Role.OWNER)
    workspace = owner.workspace
    rep = MembershipFactory(workspace=workspace, role=Role.REP)
    admin = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
    mine = salesforce_connect(workspace, rep.user, sandbox_org)  # as the org's rep user
    assert SalesforceClient(mine).query("SELECT Id FROM Lead")["done"] is True

    sandbox.control.deactivate_user(sandbox_org.rep_user.username)

    # The stored session is dead (401), the refresh answers invalid_grant "inactive user": only a person can fix it.
    with pytest.raises(ReconnectRequired):
        SalesforceClient(mine).query("SELECT Id FROM Lead")
    mine.refresh_from_db()
    assert mine.status == ConnectionStatus.RECONNECT_REQUIRED
    assert "inactive user" in mine.status_reason
    event = ConnectionEvent.objects.get(connection=mine, action=ConnectionAction.REFRESH_FAILED)
    assert "invalid_grant" in event.detail
    with pytest.raises(ReconnectRequired):  # paused: no more calls to Salesforce for this connection
        SalesforceClient(mine)

    # The rep sees why on their next page, with a Reconnect button; teammates don't.
    home = logged_in_client(rep.user).get(reverse("workspace_home", args=[workspace.slug])).content.decode()
    assert 'data-testid="reconnect-banner"' in home
    assert "Your Salesforce connection needs to be reconnected" in home
    assert "inactive user" in home
    assert reverse("integration_own_connect", args=[workspace.slug]) in home
    other = MembershipFactory(workspace=workspace, role=Role.REP).user
    other_home = logged_in_client(other).get(reverse("workspace_home", args=[workspace.slug])).content.decode()
    assert "reconnect-banner" not in other_home

    # Another Salesforce user's connection (the admin's) keeps working.
    admin.refresh_from_db()
    assert admin.status == ConnectionStatus.CONNECTED
    assert SalesforceClient(admin).query("SELECT Id FROM Lead")["done"] is True

    # Once the Salesforce admin reactivates the user, reconnecting resumes the rep's connection.
    sandbox.control.update_user(sandbox_org.rep_user.id, is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = salesforce_connect(workspace, rep.user, sandbox_org)
    assert again.pk == mine.pk and again.status == ConnectionStatus.CONNECTED
    assert SalesforceClient(again).query("SELECT Id FROM Lead")["done"] is True
