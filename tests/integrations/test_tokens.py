"""Token lifecycle against the sandbox: refresh on 401, rotation under concurrency, invalid_grant and reconnect."""

import threading

import pytest
from django.db import connections
from django.urls import reverse

from integrations.errors import ReconnectRequired, RetryLater
from integrations.models import Connection, ConnectionAction, ConnectionEvent, ConnectionStatus, OAuthCredential
from integrations.providers.salesforce.client import SalesforceClient
from tests.factories import MembershipFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role


def token_posts(control) -> list[dict]:
    return [r for r in control.requests() if r["path"] == "/services/oauth2/token" and r["method"] == "POST"]


@pytest.mark.django_db
class TestRefresh:
    def test_an_expired_session_is_refreshed_once_and_the_call_replayed(
        self, sandbox, sandbox_org, salesforce_connection
    ):
        before = OAuthCredential.objects.get(connection=salesforce_connection)
        sandbox.control.expire_tokens(org=sandbox_org.org_id)
        sandbox.control.clear_requests()

        result = SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")

        assert result["done"] is True
        after = OAuthCredential.objects.get(connection=salesforce_connection)
        assert after.version == before.version + 1
        assert after.access_token != before.access_token
        assert after.refresh_token == before.refresh_token  # rotation is off: Salesforce sent no new one
        assert len(token_posts(sandbox.control)) == 1
        queries = [r for r in sandbox.control.requests() if r["path"].endswith("/query/")]
        assert [r["status"] for r in queries] == [401, 200]

    def test_a_session_refused_again_after_the_refresh_is_not_refreshed_twice(
        self, sandbox, sandbox_org, salesforce_connection
    ):
        sandbox.control.fault(
            path="/services/data/*/query*", status=401, error_code="INVALID_SESSION_ID", times=2, org=sandbox_org.org_id
        )
        sandbox.control.clear_requests()
        try:
            with pytest.raises(RetryLater) as caught:
                SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")
        finally:
            sandbox.control.clear_faults()

        assert caught.value.code == "INVALID_SESSION_ID"
        assert len(token_posts(sandbox.control)) == 1  # refreshed once, replayed once, then gave up
        queries = [r for r in sandbox.control.requests() if r["path"].endswith("/query/")]
        assert [r["status"] for r in queries] == [401, 401]
        assert Connection.objects.get(pk=salesforce_connection.pk).status == ConnectionStatus.CONNECTED

    def test_with_rotation_the_new_refresh_token_is_stored(self, sandbox, sandbox_org, salesforce_connection):
        sandbox.control.settings(sandbox_org.org_id, refresh_token_rotation=True)
        before = OAuthCredential.objects.get(connection=salesforce_connection).refresh_token
        sandbox.control.expire_tokens(org=sandbox_org.org_id)

        SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")

        after = OAuthCredential.objects.get(connection=salesforce_connection).refresh_token
        assert after != before
        sandbox.control.expire_tokens(org=sandbox_org.org_id)
        SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")  # the rotated token works in turn

    def test_sforce_limit_info_is_recorded_on_the_connection(self, sandbox, sandbox_org, salesforce_connection):
        sandbox.control.settings(sandbox_org.org_id, api_used=4321, api_limit=5000)

        SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")

        stored = Connection.objects.get(pk=salesforce_connection.pk)
        assert stored.api_usage_max == 5000
        assert stored.api_usage_used == 4322
        assert stored.last_success_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_a_rotating_refresh_token_refresh_once(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.settings(sandbox_org.org_id, refresh_token_rotation=True)
    sandbox.control.expire_tokens(org=sandbox_org.org_id)
    sandbox.control.clear_requests()
    barrier = threading.Barrier(2)
    outcomes: list = []

    def worker():
        try:
            client = SalesforceClient(Connection.objects.get(pk=salesforce_connection.pk))
            barrier.wait(timeout=30)
            outcomes.append(client.query("SELECT Id FROM Lead")["done"])
        except Exception as exc:  # recorded, then asserted on below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes == [True, True]
    assert len(token_posts(sandbox.control)) == 1
    assert Connection.objects.get(pk=salesforce_connection.pk).status == ConnectionStatus.CONNECTED
    assert OAuthCredential.objects.get(connection=salesforce_connection).version == 2


@pytest.mark.django_db
class TestInvalidGrant:
    def test_invalid_grant_requires_reconnect_and_reconnecting_resumes(
        self, sandbox, sandbox_org, salesforce_connect, django_capture_on_commit_callbacks
    ):
        owner = MembershipFactory(role=Role.OWNER)
        workspace = owner.workspace
        rep = MembershipFactory(workspace=workspace, role=Role.REP)
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        mine = salesforce_connect(workspace, rep.user, sandbox_org)
        sandbox.control.expire_tokens(org=sandbox_org.org_id, refresh_tokens=True)

        with pytest.raises(ReconnectRequired):
            SalesforceClient(mine).query("SELECT Id FROM Lead")

        mine.refresh_from_db()
        assert mine.status == ConnectionStatus.RECONNECT_REQUIRED
        assert "Reconnect" in mine.status_reason
        event = ConnectionEvent.objects.get(connection=mine, action=ConnectionAction.REFRESH_FAILED)
        assert "invalid_grant" in event.detail
        with pytest.raises(ReconnectRequired):  # paused: no further calls to Salesforce until reconnected
            SalesforceClient(mine)

        # The owner sees it on their next page view, with a Reconnect button.
        home = logged_in_client(rep.user).get(reverse("workspace_home", args=[workspace.slug])).content.decode()
        assert 'data-testid="reconnect-banner"' in home
        assert "Your Salesforce connection needs to be reconnected" in home
        assert reverse("integration_own_connect", args=[workspace.slug]) in home
        other = MembershipFactory(workspace=workspace, role=Role.REP).user
        other_home = logged_in_client(other).get(reverse("workspace_home", args=[workspace.slug])).content.decode()
        assert "reconnect-banner" not in other_home

        with django_capture_on_commit_callbacks(execute=True):
            again = salesforce_connect(workspace, rep.user, sandbox_org)

        assert again.pk == mine.pk and again.status == ConnectionStatus.CONNECTED
        assert SalesforceClient(again).query("SELECT Id FROM Lead")["done"] is True
        home = logged_in_client(rep.user).get(reverse("workspace_home", args=[workspace.slug])).content.decode()
        assert "reconnect-banner" not in home

    def test_an_admin_connection_needing_reconnect_is_shown_to_crm_admins_only(
        self, sandbox, sandbox_org, salesforce_connection
    ):
        workspace = salesforce_connection.workspace
        rep = MembershipFactory(workspace=workspace, role=Role.REP).user
        sandbox.control.expire_tokens(org=sandbox_org.org_id, refresh_tokens=True)
        with pytest.raises(ReconnectRequired):
            SalesforceClient(salesforce_connection).describe("Lead")

        admin_page = logged_in_client(salesforce_connection.connected_by).get(
            reverse("integration_list", args=[workspace.slug])
        )
        rep_page = logged_in_client(rep).get(reverse("integration_list", args=[workspace.slug]))

        assert "The Salesforce admin connection needs to be reconnected" in admin_page.content.decode()
        assert "Needs reconnect" in admin_page.content.decode()
        assert "reconnect-banner" not in rep_page.content.decode()
