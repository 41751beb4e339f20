"""The integrations page and its forms: who sees and changes what, client credentials, app keys, audit log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.errors import ReconnectRequired
from integrations.models import (
    AuthType,
    Connection,
    ConnectionAction,
    ConnectionEvent,
    ConnectionKind,
    ConnectionStatus,
    OAuthApp,
    OAuthCredential,
    OAuthState,
)
from integrations.providers.salesforce.client import SalesforceClient
from tests.factories import MembershipFactory
from tests.integrations.factories import ConnectionFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role

pytestmark = pytest.mark.django_db


def page(user, workspace):
    response = logged_in_client(user).get(reverse("integration_list", args=[workspace.slug]))
    assert response.status_code == 200
    return response.content.decode()


class TestPage:
    def test_not_connected_shows_the_empty_state_and_setup_text(self, owner, workspace):
        text = page(owner.user, workspace)
        assert 'data-testid="integration-empty-state"' in text and "Not connected" in text
        assert "http://127.0.0.1:8000/integrations/salesforce/callback/" in text
        assert "api refresh_token id" in text
        assert "External Client App" in text and "API Enabled" in text
        assert 'data-testid="client-credentials-form"' in text

    def test_a_rep_sees_only_their_own_connection(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace, api_usage_used=10, api_usage_max=100)
        other = MembershipFactory(workspace=workspace, role=Role.REP)
        ConnectionFactory(
            workspace=workspace, kind=ConnectionKind.USER, user=other.user, remote_username="other@acme.example"
        )

        text = page(rep.user, workspace)

        assert "other@acme.example" not in text
        assert "team-connections" not in text
        assert "client-credentials-form" not in text and "oauth-app-form" not in text
        assert 'data-testid="own-connect-form"' in text and "Acme" in text

    def test_admins_see_the_team_health(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        ConnectionFactory(
            workspace=workspace,
            kind=ConnectionKind.USER,
            user=rep.user,
            remote_username="ray@acme.example",
            last_success_at=timezone.now() - timedelta(hours=3),
        )
        broken = MembershipFactory(workspace=workspace, role=Role.REP)
        ConnectionFactory(
            workspace=workspace,
            kind=ConnectionKind.USER,
            user=broken.user,
            status=ConnectionStatus.RECONNECT_REQUIRED,
        )
        never = MembershipFactory(workspace=workspace, role=Role.REP)

        text = page(owner.user, workspace)

        table = text[text.index('data-testid="team-connections"') :]
        row = lambda email: table[table.index(f'data-member="{email}"') :].split("</tr>")[0]  # noqa: E731
        assert "Connected" in row(rep.user.email) and "ray@acme.example" in row(rep.user.email)
        assert "3 hours ago" in row(rep.user.email)  # last successful call
        assert "Needs reconnect" in row(broken.user.email)
        assert "Never connected" in row(never.user.email) and "ago" not in row(never.user.email)

    @pytest.mark.parametrize(("used", "shown", "amber"), [(79_999, "79,999", False), (80_000, "80,000", True)])
    def test_api_usage_bar_turns_amber_at_80_percent(self, owner, workspace, used, shown, amber):
        ConnectionFactory(workspace=workspace, api_usage_used=used, api_usage_max=100_000)
        text = page(owner.user, workspace)
        assert f"{shown} / 100,000" in text
        assert ('class="meter warn"' in text) is amber

    def test_tokens_never_appear_on_the_page(self, owner, workspace):
        connection = ConnectionFactory(workspace=workspace)
        credential = OAuthCredential.objects.get(connection=connection)
        text = page(owner.user, workspace)
        assert credential.access_token not in text and credential.refresh_token not in text


class TestPermissions:
    def test_a_rep_cannot_start_the_admin_connection(self, rep, workspace):
        response = logged_in_client(rep.user).post(
            reverse("integration_admin_connect", args=[workspace.slug]), {"admin-environment": "production"}
        )
        assert response.status_code == 403
        assert not OAuthState.objects.exists()

    def test_a_rep_cannot_change_app_keys_or_client_credentials(self, rep, workspace):
        client = logged_in_client(rep.user)
        assert client.post(reverse("integration_oauth_app", args=[workspace.slug]), {}).status_code == 403
        assert client.post(reverse("integration_client_credentials", args=[workspace.slug]), {}).status_code == 403
        assert client.get(reverse("integration_audit", args=[workspace.slug])).status_code == 403

    def test_a_rep_connects_only_after_the_admin_connection(self, rep, workspace):
        text = page(rep.user, workspace)
        assert "once the workspace's admin connection is set up" in text
        response = logged_in_client(rep.user).post(reverse("integration_own_connect", args=[workspace.slug]))
        assert response.status_code == 400
        assert "once a workspace admin has connected" in response.content.decode()
        assert not OAuthState.objects.exists()

    def test_connect_without_any_app_credentials_explains_what_to_do(self, owner, workspace, settings):
        settings.SALESFORCE_CONSUMER_KEY = ""
        response = logged_in_client(owner.user).post(
            reverse("integration_admin_connect", args=[workspace.slug]), {"admin-environment": "production"}
        )
        assert response.status_code == 400
        assert "No External Client App credentials are configured" in response.content.decode()

    def test_the_connect_goes_to_the_chosen_login_host_with_pkce(self, owner, workspace, settings):
        settings.SALESFORCE_CONSUMER_KEY, settings.SALESFORCE_CONSUMER_SECRET = "3MVG9-env-key", "env-secret"
        response = logged_in_client(owner.user).post(
            reverse("integration_admin_connect", args=[workspace.slug]), {"admin-environment": "sandbox"}
        )
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("https://test.salesforce.com/services/oauth2/authorize?")
        assert "client_id=3MVG9-env-key" in location and "code_challenge_method=S256" in location
        assert "scope=api+refresh_token+id" in location
        state = OAuthState.objects.get()
        assert (state.user, state.workspace, state.kind) == (owner.user, workspace, ConnectionKind.ADMIN)


class TestOAuthApp:
    def test_app_keys_are_saved_audited_and_the_secret_never_shown(self, owner, workspace):
        client = logged_in_client(owner.user)
        url = reverse("integration_oauth_app", args=[workspace.slug])

        client.post(url, {"consumer_key": "3MVG9-workspace-key", "consumer_secret": "s3cret-value"})
        client.post(url, {"consumer_key": "3MVG9-workspace-key-2", "consumer_secret": ""})

        app = OAuthApp.objects.get(workspace=workspace)
        assert (app.consumer_key, app.consumer_secret) == ("3MVG9-workspace-key-2", "s3cret-value")
        assert (
            ConnectionEvent.objects.filter(action=ConnectionAction.CREDENTIALS_CHANGED, actor=owner.user).count() == 2
        )
        assert "s3cret-value" not in page(owner.user, workspace)

    def test_a_first_save_needs_the_secret(self, owner, workspace):
        response = logged_in_client(owner.user).post(
            reverse("integration_oauth_app", args=[workspace.slug]), {"consumer_key": "k", "consumer_secret": ""}
        )
        assert response.status_code == 400 and "Enter the consumer secret too" in response.content.decode()
        assert not OAuthApp.objects.exists()


class TestClientCredentials:
    def post(self, user, workspace, org, *, action, secret=None, instance_url=None):
        return logged_in_client(user).post(
            reverse("integration_client_credentials", args=[workspace.slug]),
            {
                "instance_url": instance_url or org.instance_url,
                "consumer_key": org.consumer_key,
                "consumer_secret": secret or org.consumer_secret,
                "action": action,
            },
        )

    def test_test_connection_proves_the_credentials_and_saves_nothing(self, owner, workspace, sandbox_org):
        response = self.post(owner.user, workspace, sandbox_org, action="test")

        text = response.content.decode()
        assert response.status_code == 200
        assert "Test passed" in text and sandbox_org.user("integration").username in text
        assert f"{sandbox_org.name} ({sandbox_org.org_id})" in text
        assert sandbox_org.consumer_secret not in text
        assert not Connection.objects.exists() and not ConnectionEvent.objects.exists()

    def test_save_connects_and_expired_tokens_are_minted_again(self, owner, workspace, sandbox, sandbox_org):
        response = self.post(owner.user, workspace, sandbox_org, action="save")

        assert response.status_code == 302
        connection = Connection.objects.get(workspace=workspace)
        assert connection.auth_type == AuthType.CLIENT_CREDENTIALS and connection.kind == ConnectionKind.ADMIN
        assert connection.remote_username == sandbox_org.user("integration").username
        assert OAuthCredential.objects.get(connection=connection).refresh_token == ""
        sandbox.control.expire_tokens(org=sandbox_org.org_id)

        assert SalesforceClient(connection).query("SELECT Id FROM Lead")["done"] is True
        assert OAuthCredential.objects.get(connection=connection).version == 2

    @pytest.mark.parametrize("action", ["test", "save"])
    def test_a_wrong_secret_is_explained_and_nothing_saved(self, owner, workspace, sandbox_org, action):
        response = self.post(owner.user, workspace, sandbox_org, action=action, secret="wrong")
        assert response.status_code == 400
        assert "rejected the consumer secret" in response.content.decode()
        assert not Connection.objects.exists() and not OAuthCredential.objects.exists()
        failed = ConnectionEvent.objects.filter(action=ConnectionAction.CONNECT_FAILED, actor=owner.user)
        assert failed.count() == (1 if action == "save" else 0)

    def test_an_instance_url_where_nothing_answers_is_explained(self, owner, workspace, sandbox_org):
        response = self.post(owner.user, workspace, sandbox_org, action="save", instance_url="http://127.0.0.1:9")
        assert response.status_code == 400
        assert "Could not reach Salesforce" in response.content.decode()
        assert not Connection.objects.exists()

    def test_a_wrong_instance_url_is_explained(self, owner, workspace, sandbox_org):
        response = self.post(
            owner.user, workspace, sandbox_org, action="save", instance_url="https://example.com/services"
        )
        assert response.status_code == 400
        assert "is not a Salesforce domain" in response.content.decode()
        assert not Connection.objects.exists()


def test_the_audit_log_lists_who_did_what(owner, workspace, sandbox, sandbox_org, salesforce_connect):
    client = logged_in_client(owner.user)
    client.post(
        reverse("integration_oauth_app", args=[workspace.slug]),
        {"consumer_key": sandbox_org.consumer_key, "consumer_secret": sandbox_org.consumer_secret},
    )
    connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
    salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
    sandbox.control.expire_tokens(org=sandbox_org.org_id, refresh_tokens=True)
    with pytest.raises(ReconnectRequired):
        SalesforceClient(connection).query("SELECT Id FROM Lead")
    client.post(reverse("integration_disconnect", args=[workspace.slug, connection.pk]))

    text = client.get(reverse("integration_audit", args=[workspace.slug])).content.decode()

    log = text[text.index('data-testid="audit-log"') :]
    for what in ("App credentials changed", "Connected", "Reconnected", "Token refresh failed", "Disconnected"):
        assert f"<td>{what}</td>" in log, what
    assert log.count(owner.user.email) >= 4
    assert "Salesforce Admin (org-wide)" in log and "invalid_grant" in log
    assert sandbox_org.consumer_secret not in text
    assert (
        logged_in_client(MembershipFactory(workspace=workspace, role=Role.REP).user)
        .get(reverse("integration_audit", args=[workspace.slug]))
        .status_code
        == 403
    )
