"""The web-server flow end to end against the sandbox: connect, reconnect, disconnect, and every bad input."""

from datetime import timedelta

import pytest
import requests
from django.db import connection as db_connection
from django.urls import reverse

from integrations.models import (
    Connection,
    ConnectionAction,
    ConnectionEvent,
    ConnectionKind,
    ConnectionStatus,
    OAuthApp,
    OAuthCredential,
    OAuthState,
)
from tests.factories import MembershipFactory
from tests.salesforce_oauth import consent, finish_callback, logged_in_client, start_connect, use_org_app
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def workspace(owner, sandbox_org):
    use_org_app(owner.workspace, sandbox_org)
    return owner.workspace


@pytest.fixture
def rep(workspace):
    return MembershipFactory(workspace=workspace, role=Role.REP)


@pytest.fixture
def faults(sandbox):
    yield sandbox.control
    sandbox.control.clear_faults()


def page_text(client, workspace) -> str:
    return client.get(reverse("integration_list", args=[workspace.slug])).content.decode()


def refresh_works(org, refresh_token: str) -> bool:
    response = requests.post(
        f"{org.login_url}/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": org.consumer_key,
            "client_secret": org.consumer_secret,
        },
        timeout=30,
    )
    return response.status_code == 200


class TestConnect:
    def test_admin_connects_and_the_page_shows_the_org(self, workspace, owner, sandbox_org, salesforce_connect):
        connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")

        admin_user = sandbox_org.admin_user
        assert connection.kind == ConnectionKind.ADMIN and connection.user is None
        assert connection.org_id == sandbox_org.org_id
        assert connection.remote_user_id == admin_user.id
        assert connection.remote_username == admin_user.username
        assert connection.instance_url == sandbox_org.instance_url
        assert connection.scopes == "api refresh_token id"
        assert connection.issued_at is not None
        assert connection.status == ConnectionStatus.CONNECTED
        assert connection.api_usage_max == sandbox_org.raw["api_limit"]
        event = ConnectionEvent.objects.get(connection=connection)
        assert (event.action, event.actor) == (ConnectionAction.CONNECTED, owner.user)

        assert connection.org_name == sandbox_org.name  # read from SELECT Name FROM Organization

        text = page_text(logged_in_client(owner.user), workspace)
        assert f"<dt>Org</dt><dd>{sandbox_org.name} ({sandbox_org.org_id})</dd>" in text
        assert admin_user.username in text
        assert "integration-empty-state" not in text
        assert f"{connection.api_usage_used:,} / {connection.api_usage_max:,}" in text

    def test_tokens_are_encrypted_at_rest_and_never_rendered(self, workspace, owner, sandbox_org, salesforce_connect):
        connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        credential = OAuthCredential.objects.get(connection=connection)
        with db_connection.cursor() as cursor:
            cursor.execute(
                "SELECT access_token, refresh_token FROM integrations_oauthcredential WHERE id = %s", [credential.pk]
            )
            raw_access, raw_refresh = cursor.fetchone()
        assert credential.access_token and credential.refresh_token
        assert credential.access_token not in raw_access and credential.refresh_token not in raw_refresh
        assert refresh_works(sandbox_org, credential.refresh_token)

        text = page_text(logged_in_client(owner.user), workspace)
        assert credential.access_token not in text and credential.refresh_token not in text

    def test_rep_connects_to_the_admin_org_and_records_are_theirs(
        self, workspace, owner, rep, sandbox_org, salesforce_connect
    ):
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        mine = salesforce_connect(workspace, rep.user, sandbox_org)

        assert (mine.kind, mine.user) == (ConnectionKind.USER, rep.user)
        assert mine.remote_user_id == sandbox_org.rep_user.id
        text = page_text(logged_in_client(rep.user), workspace)
        assert sandbox_org.rep_user.username in text
        assert "team-connections" not in text  # a rep sees only their own

    def test_reconnect_replaces_tokens_in_place_and_revokes_the_old_ones(
        self, workspace, owner, sandbox_org, salesforce_connect, django_capture_on_commit_callbacks
    ):
        first = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        old_refresh = OAuthCredential.objects.get(connection=first).refresh_token

        with django_capture_on_commit_callbacks(execute=True):  # the old token is revoked once the new one is saved
            again = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")

        assert again.pk == first.pk
        new_refresh = OAuthCredential.objects.get(connection=again).refresh_token
        assert new_refresh != old_refresh
        assert not refresh_works(sandbox_org, old_refresh)
        assert refresh_works(sandbox_org, new_refresh)
        actions = list(ConnectionEvent.objects.filter(connection=first).values_list("action", flat=True))
        assert sorted(actions) == [ConnectionAction.CONNECTED, ConnectionAction.RECONNECTED]


class TestAppCredentials:
    def test_without_a_workspace_app_the_settings_app_is_used(self, owner, sandbox_org, settings):
        workspace = owner.workspace  # no OAuthApp row: the `workspace` fixture would add one
        settings.SALESFORCE_CONSUMER_KEY = sandbox_org.consumer_key
        settings.SALESFORCE_CONSUMER_SECRET = sandbox_org.consumer_secret
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        assert f"client_id={sandbox_org.consumer_key}" in authorize_url
        admin = sandbox_org.admin_user

        finish_callback(client, consent(authorize_url, username=admin.username, password=admin.password))

        connection = Connection.objects.get(workspace=workspace)
        assert OAuthCredential.objects.get(connection=connection).client_id == sandbox_org.consumer_key
        assert not OAuthApp.objects.exists()

    def test_a_workspace_app_takes_precedence_over_settings(
        self, workspace, owner, sandbox_org, salesforce_connect, settings
    ):
        settings.SALESFORCE_CONSUMER_KEY, settings.SALESFORCE_CONSUMER_SECRET = "3MVG9-server-app", "server-secret"

        connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")

        assert OAuthCredential.objects.get(connection=connection).client_id == sandbox_org.consumer_key


class TestDisconnect:
    def test_disconnect_revokes_at_salesforce_and_deletes_here(self, workspace, owner, sandbox_org, salesforce_connect):
        connection = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        refresh = OAuthCredential.objects.get(connection=connection).refresh_token
        client = logged_in_client(owner.user)

        response = client.post(reverse("integration_disconnect", args=[workspace.slug, connection.pk]), follow=True)

        assert "the token was revoked at Salesforce" in response.content.decode()
        assert not Connection.objects.filter(pk=connection.pk).exists()
        assert not OAuthCredential.objects.filter(connection_id=connection.pk).exists()
        assert not refresh_works(sandbox_org, refresh)
        event = ConnectionEvent.objects.get(action=ConnectionAction.DISCONNECTED)
        assert event.actor == owner.user and event.connection is None and event.connection_label
        assert "Not connected" in page_text(client, workspace)

    def test_a_rep_cannot_disconnect_someone_else(self, workspace, owner, rep, sandbox_org, salesforce_connect):
        admin = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        response = logged_in_client(rep.user).post(reverse("integration_disconnect", args=[workspace.slug, admin.pk]))
        assert response.status_code == 403
        assert Connection.objects.filter(pk=admin.pk).exists()


class TestState:
    def test_state_is_stored_hashed_with_an_encrypted_verifier(self, workspace, owner, sandbox_org):
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        raw_state = requests.utils.urlparse(authorize_url).query.split("state=")[1].split("&")[0]
        row = OAuthState.objects.get()
        assert raw_state not in row.state_hash
        assert "code_challenge_method=S256" in authorize_url
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT code_verifier FROM integrations_oauthstate WHERE id = %s", [row.pk])
            assert row.code_verifier not in cursor.fetchone()[0]

    def test_a_replayed_callback_is_rejected(self, workspace, owner, sandbox, sandbox_org):
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        callback = consent(
            authorize_url, username=sandbox_org.admin_user.username, password=sandbox_org.admin_user.password
        )
        finish_callback(client, callback)
        assert Connection.objects.count() == 1
        sandbox.control.clear_requests()

        response = finish_callback(client, callback)
        page = client.get(response["Location"]).content.decode()

        assert "This Salesforce answer was already used" in page
        assert not [r for r in sandbox.control.requests() if r["path"] == "/services/oauth2/token"]
        assert ConnectionEvent.objects.filter(action=ConnectionAction.RECONNECTED).count() == 0

    def test_a_state_from_another_session_is_rejected_and_stays_usable(self, workspace, owner, sandbox_org):
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        callback = consent(
            authorize_url, username=sandbox_org.admin_user.username, password=sandbox_org.admin_user.password
        )
        intruder = MembershipFactory(workspace=workspace, role=Role.OWNER).user
        intruder_client = logged_in_client(intruder)

        response = finish_callback(intruder_client, callback)

        assert response["Location"] == reverse("integration_list", args=[workspace.slug])
        page = intruder_client.get(response["Location"]).content.decode()
        assert "does not belong to a connection you started" in page and "Not connected" in page
        assert not Connection.objects.exists()
        finish_callback(client, callback)  # the rightful owner can still finish
        assert Connection.objects.get().connected_by == owner.user

    def test_an_expired_state_is_rejected(self, workspace, owner, sandbox_org):
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        callback = consent(
            authorize_url, username=sandbox_org.admin_user.username, password=sandbox_org.admin_user.password
        )
        OAuthState.objects.update(created_at=OAuthState.objects.get().created_at - timedelta(minutes=11))

        response = finish_callback(client, callback)

        assert "expired" in client.get(response["Location"]).content.decode()
        assert not Connection.objects.exists()


class TestBadInput:
    def connect_as(self, client, workspace, org, user, *, approve=True):
        authorize_url = start_connect(client, workspace, kind="admin", login_url=org.login_url)
        callback = consent(authorize_url, username=user.username, password=user.password, approve=approve)
        response = finish_callback(client, callback)
        assert response.status_code == 302
        return client.get(response["Location"]).content.decode()

    def assert_failed_cleanly(self, workspace):
        assert not Connection.objects.filter(workspace=workspace).exists()
        assert not OAuthCredential.objects.exists()
        assert ConnectionEvent.objects.filter(workspace=workspace, action=ConnectionAction.CONNECT_FAILED).exists()

    def test_user_denies_consent(self, workspace, owner, sandbox_org):
        page = self.connect_as(
            logged_in_client(owner.user), workspace, sandbox_org, sandbox_org.admin_user, approve=False
        )
        assert "declined to allow access" in page
        assert "Not connected" in page
        self.assert_failed_cleanly(workspace)

    def test_user_without_api_access_gets_admin_guidance(self, workspace, owner, sandbox_org):
        page = self.connect_as(logged_in_client(owner.user), workspace, sandbox_org, sandbox_org.user("noapi"))
        assert "API Enabled" in page and "Connected Apps OAuth Usage" in page
        self.assert_failed_cleanly(workspace)

    def test_wrong_consumer_secret(self, workspace, owner, sandbox_org):
        OAuthApp.objects.filter(workspace=workspace).update(consumer_secret="not-the-secret")
        page = self.connect_as(logged_in_client(owner.user), workspace, sandbox_org, sandbox_org.admin_user)
        assert "rejected the consumer secret" in page
        self.assert_failed_cleanly(workspace)

    def test_salesforce_answers_500_during_the_exchange(self, workspace, owner, sandbox_org, faults):
        faults.fault(method="POST", path="/services/oauth2/token", status=500, times=1)
        page = self.connect_as(logged_in_client(owner.user), workspace, sandbox_org, sandbox_org.admin_user)
        assert "answered HTTP 500" in page and "Try again shortly" in page
        self.assert_failed_cleanly(workspace)

    def test_a_reused_code_is_refused(self, workspace, owner, sandbox_org):
        client = logged_in_client(owner.user)
        admin = sandbox_org.admin_user
        first = consent(
            start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url),
            username=admin.username,
            password=admin.password,
        )
        finish_callback(client, first)
        Connection.objects.all().delete()
        used_code = requests.utils.urlparse(first).query.split("code=")[1].split("&")[0]
        second = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        fresh_state = requests.utils.urlparse(second).query.split("state=")[1].split("&")[0]

        response = client.get(reverse("salesforce_oauth_callback"), {"code": used_code, "state": fresh_state})

        page = client.get(response["Location"]).content.decode()
        assert "Salesforce refused the authorization" in page
        assert not Connection.objects.exists()

    def test_an_expired_code_is_refused(self, workspace, owner, sandbox, sandbox_org):
        client = logged_in_client(owner.user)
        admin = sandbox_org.admin_user
        callback = consent(
            start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url),
            username=admin.username,
            password=admin.password,
        )
        before = sandbox.control.clock()["offset_s"]
        sandbox.control.clock(advance_s=16 * 60)  # Salesforce codes live 15 minutes; our state lives 10
        try:
            response = finish_callback(client, callback)
        finally:
            sandbox.control.clock(offset_s=before)

        assert "Salesforce refused the authorization" in client.get(response["Location"]).content.decode()
        self.assert_failed_cleanly(workspace)

    def test_a_my_domain_that_is_not_salesforce_is_refused_before_leaving(self, workspace, owner):
        client = logged_in_client(owner.user)
        response = client.post(
            reverse("integration_admin_connect", args=[workspace.slug]),
            {"admin-environment": "my_domain", "admin-my_domain_url": "https://evil.example.com"},
        )
        assert response.status_code == 400
        assert "is not a Salesforce domain" in response.content.decode()
        assert not OAuthState.objects.exists()

    def test_plain_http_is_refused_for_real_hosts(self, workspace, owner):
        client = logged_in_client(owner.user)
        response = client.post(
            reverse("integration_admin_connect", args=[workspace.slug]),
            {"admin-environment": "my_domain", "admin-my_domain_url": "http://acme.my.salesforce.com"},
        )
        assert response.status_code == 400
        assert "must start with https://" in response.content.decode()

    def test_an_unreachable_login_host_ends_with_a_message(self, workspace, owner, sandbox_org):
        client = logged_in_client(owner.user)
        admin = sandbox_org.admin_user
        callback = consent(
            start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url),
            username=admin.username,
            password=admin.password,
        )
        OAuthState.objects.update(login_url="http://127.0.0.1:9")  # nothing listens on the discard port

        response = finish_callback(client, callback)

        assert "Could not reach Salesforce" in client.get(response["Location"]).content.decode()
        assert not Connection.objects.exists()


class TestOneOrgPerWorkspace:
    @pytest.fixture
    def other_org(self, sandbox):
        org = sandbox.control.create_org(name="Acme UAT")
        sandbox.control.settings(org.org_id, is_sandbox=True)  # Organization.IsSandbox
        yield org
        sandbox.control.delete_org(org.org_id)

    def test_a_rep_using_a_sandbox_login_for_the_production_org_is_refused_naming_both(
        self, sandbox, workspace, owner, rep, sandbox_org, other_org, salesforce_connect
    ):
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        client = logged_in_client(rep.user)
        authorize_url = start_connect(client, workspace, kind="user", login_url=sandbox_org.login_url)
        wrong = other_org.rep_user
        callback = consent(authorize_url, username=wrong.username, password=wrong.password)
        sandbox.control.clear_requests()
        response = finish_callback(client, callback)

        page = client.get(response["Location"]).content.decode()
        assert f"the Salesforce sandbox org Acme UAT ({other_org.org_id})" in page
        assert f"{sandbox_org.name} ({sandbox_org.org_id})" in page and "production or sandbox" in page
        assert not Connection.objects.filter(kind=ConnectionKind.USER).exists()
        assert ConnectionEvent.objects.filter(action=ConnectionAction.CONNECT_FAILED, actor=rep.user).exists()
        # The token Salesforce issued for the refused attempt is revoked, not left alive.
        assert [r for r in sandbox.control.requests() if r["path"] == "/services/oauth2/revoke"]

    def test_reconnecting_the_admin_to_another_org_is_refused(
        self, workspace, owner, sandbox_org, other_org, salesforce_connect
    ):
        admin = salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        client = logged_in_client(owner.user)
        authorize_url = start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
        wrong = other_org.admin_user
        response = finish_callback(client, consent(authorize_url, username=wrong.username, password=wrong.password))

        page = client.get(response["Location"]).content.decode()
        assert "sandbox org Acme UAT" in page and "disconnect the admin connection first" in page
        admin.refresh_from_db()
        assert admin.org_id == sandbox_org.org_id


def test_old_attempts_are_purged_when_a_new_one_starts(workspace, owner, sandbox_org):
    client = logged_in_client(owner.user)
    start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)
    OAuthState.objects.update(created_at=OAuthState.objects.get().created_at - timedelta(days=2))

    start_connect(client, workspace, kind="admin", login_url=sandbox_org.login_url)

    assert OAuthState.objects.count() == 1
