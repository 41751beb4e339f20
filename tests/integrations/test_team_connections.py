"""Team connections as an admin manages them: when a rep was disconnected, reminders to connect (sent by email, at
most one a day each), and disconnect asking first; and what a rep is not shown of the admin connection."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from integrations.models import Connection, ConnectionAction, ConnectionEvent, ConnectionKind, ConnectionStatus
from tests.factories import MembershipFactory
from tests.integrations.factories import ConnectionFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role

pytestmark = pytest.mark.django_db


def integrations_page(user, workspace) -> str:
    response = logged_in_client(user).get(reverse("integration_list", args=[workspace.slug]))
    assert response.status_code == 200
    return response.content.decode()


def team_row(html: str, email: str) -> str:
    table = html[html.index('data-testid="team-connections"') :]
    return table[table.index(f'data-member="{email}"') :].split("</tr>")[0]


def remind(user, workspace, *user_ids):
    return logged_in_client(user).post(
        reverse("integration_remind", args=[workspace.slug]), {"user": [str(pk) for pk in user_ids]}, follow=True
    )


class TestDisconnectedOn:
    def test_a_rep_who_disconnected_reads_disconnected_on_not_never_connected(
        self, owner, rep, workspace, sandbox_org, salesforce_connect
    ):
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        mine = salesforce_connect(workspace, rep.user, sandbox_org)
        response = logged_in_client(rep.user).post(reverse("integration_disconnect", args=[workspace.slug, mine.pk]))
        assert response.status_code == 302
        assert not Connection.objects.filter(pk=mine.pk).exists()

        row = team_row(integrations_page(owner.user, workspace), rep.user.email)

        event = ConnectionEvent.objects.get(action=ConnectionAction.DISCONNECTED)
        assert event.subject_user == rep.user
        assert "Never connected" not in row
        assert "Disconnected" in row and f"on {event.created_at:%-d %b %Y}" in row
        assert " by " not in row  # they did it themselves
        assert "Send reminder" in row

    def test_disconnected_by_an_admin_names_the_admin(self, owner, rep, workspace, sandbox_org, salesforce_connect):
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        theirs = salesforce_connect(workspace, rep.user, sandbox_org)
        logged_in_client(owner.user).post(reverse("integration_disconnect", args=[workspace.slug, theirs.pk]))

        row = team_row(integrations_page(owner.user, workspace), rep.user.email)

        assert "Disconnected" in row and f"by {owner.user.email}" in row

    def test_connecting_again_reads_connected(self, owner, rep, workspace, sandbox_org, salesforce_connect):
        salesforce_connect(workspace, owner.user, sandbox_org, kind="admin")
        first = salesforce_connect(workspace, rep.user, sandbox_org)
        logged_in_client(rep.user).post(reverse("integration_disconnect", args=[workspace.slug, first.pk]))
        salesforce_connect(workspace, rep.user, sandbox_org)

        row = team_row(integrations_page(owner.user, workspace), rep.user.email)

        assert "Connected" in row and "Disconnected" not in row and "Send reminder" not in row

    def test_a_member_who_never_connected_still_reads_never_connected(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        row = team_row(integrations_page(owner.user, workspace), rep.user.email)
        assert "Never connected" in row and "Disconnected" not in row


class TestDisconnectConfirmation:
    def test_the_link_opens_a_confirmation_that_disconnects_only_on_yes(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        theirs = ConnectionFactory(workspace=workspace, kind=ConnectionKind.USER, user=rep.user)
        url = reverse("integration_disconnect", args=[workspace.slug, theirs.pk])
        assert f'href="{url}"' in team_row(integrations_page(owner.user, workspace), rep.user.email)

        response = logged_in_client(owner.user).get(url)

        text = response.content.decode()
        assert response.status_code == 200
        assert f"Disconnect {rep.user.email}" in text and theirs.remote_username in text
        assert "Yes, disconnect" in text and "Cancel" in text
        assert Connection.objects.filter(pk=theirs.pk).exists()

    def test_a_rep_confirms_their_own_and_cannot_open_anyone_elses(self, owner, rep, workspace):
        admin = ConnectionFactory(workspace=workspace)
        mine = ConnectionFactory(workspace=workspace, kind=ConnectionKind.USER, user=rep.user)
        client = logged_in_client(rep.user)

        own = client.get(reverse("integration_disconnect", args=[workspace.slug, mine.pk]))
        other = client.get(reverse("integration_disconnect", args=[workspace.slug, admin.pk]))

        assert own.status_code == 200 and "Disconnect your Salesforce user?" in own.content.decode()
        assert other.status_code == 403

    def test_an_unknown_connection_is_a_404(self, owner, workspace):
        response = logged_in_client(owner.user).get(reverse("integration_disconnect", args=[workspace.slug, 999999]))
        assert response.status_code == 404


class TestReminders:
    def test_an_admin_reminds_a_rep_by_email_with_the_link_to_connect(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)

        response = remind(owner.user, workspace, rep.user.pk)

        assert f"Sent 1 reminder to connect Salesforce: {rep.user.email}." in response.content.decode()
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [rep.user.email] and message.reply_to == [owner.user.email]
        assert message.subject == f"Connect your Salesforce user in {workspace.name}"
        assert f"http://127.0.0.1:8000/w/{workspace.slug}/integrations/" in message.body
        assert "have not connected your Salesforce user yet" in message.body
        event = ConnectionEvent.objects.get(action=ConnectionAction.REMINDER_SENT)
        assert event.actor == owner.user and event.subject_user == rep.user
        assert "Reminded" in team_row(response.content.decode(), rep.user.email)

    def test_a_second_click_sends_nothing_until_a_day_has_passed(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        remind(owner.user, workspace, rep.user.pk)

        again = remind(owner.user, workspace, rep.user.pk).content.decode()

        assert len(mail.outbox) == 1
        assert f"{rep.user.email} was reminded less than a day ago" in again
        assert "Send reminder" not in team_row(again, rep.user.email)
        assert "next after" in team_row(again, rep.user.email)

        ConnectionEvent.objects.filter(action=ConnectionAction.REMINDER_SENT).update(
            created_at=ConnectionEvent.objects.get(action=ConnectionAction.REMINDER_SENT).created_at
            - timedelta(hours=25)
        )
        remind(owner.user, workspace, rep.user.pk)
        assert len(mail.outbox) == 2

    def test_remind_all_emails_only_those_without_a_working_connection(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        connected = MembershipFactory(workspace=workspace, role=Role.REP)
        ConnectionFactory(workspace=workspace, kind=ConnectionKind.USER, user=connected.user)
        broken = MembershipFactory(workspace=workspace, role=Role.REP)
        ConnectionFactory(
            workspace=workspace, kind=ConnectionKind.USER, user=broken.user, status=ConnectionStatus.RECONNECT_REQUIRED
        )
        html = integrations_page(owner.user, workspace)
        form = html[html.index('data-testid="remind-all"') :].split("</form>")[0]
        assert "Remind 2 members who have not connected" in form
        assert f'value="{rep.user.pk}"' in form and f'value="{broken.user.pk}"' in form
        assert f'value="{connected.user.pk}"' not in form and f'value="{owner.user.pk}"' not in form

        # A stale page naming everyone (the connected rep and the admin too) still emails only those two.
        remind(owner.user, workspace, rep.user.pk, broken.user.pk, connected.user.pk, owner.user.pk)

        assert sorted(m.to[0] for m in mail.outbox) == sorted([rep.user.email, broken.user.email])
        reconnect = next(m for m in mail.outbox if m.to == [broken.user.email])
        assert reconnect.subject.startswith("Reconnect your Salesforce user")

    def test_with_no_one_left_to_remind_nothing_is_sent(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        ConnectionFactory(workspace=workspace, kind=ConnectionKind.USER, user=rep.user)

        response = remind(owner.user, workspace, rep.user.pk)

        assert "there is no one to remind" in response.content.decode()
        assert mail.outbox == []
        assert 'data-testid="remind-all"' not in integrations_page(owner.user, workspace)

    def test_a_refused_email_can_be_sent_again_at_once(self, owner, rep, workspace, settings, monkeypatch):
        ConnectionFactory(workspace=workspace)

        def refuse(self, messages):
            raise OSError("Connection refused")

        monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        response = remind(owner.user, workspace, rep.user.pk)

        assert f"The mail server refused the reminder to {rep.user.email}" in response.content.decode()
        assert not ConnectionEvent.objects.filter(action=ConnectionAction.REMINDER_SENT).exists()
        monkeypatch.undo()
        remind(owner.user, workspace, rep.user.pk)
        assert len(mail.outbox) == 1

    def test_in_development_the_email_is_printed_on_the_console(self, owner, rep, workspace, settings, capsys):
        settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # what base settings use
        ConnectionFactory(workspace=workspace)

        remind(owner.user, workspace, rep.user.pk)

        printed = capsys.readouterr().out
        assert f"Subject: Connect your Salesforce user in {workspace.name}" in printed
        assert f"To: {rep.user.email}" in printed and f"/w/{workspace.slug}/integrations/" in printed

    def test_bad_input_is_a_message_not_an_error(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        response = logged_in_client(owner.user).post(
            reverse("integration_remind", args=[workspace.slug]), {"user": ["nobody"]}, follow=True
        )
        assert response.status_code == 200 and "Choose a member to remind." in response.content.decode()
        assert mail.outbox == []

    def test_a_rep_cannot_send_reminders(self, owner, rep, workspace):
        ConnectionFactory(workspace=workspace)
        other = MembershipFactory(workspace=workspace, role=Role.REP)
        response = logged_in_client(rep.user).post(
            reverse("integration_remind", args=[workspace.slug]), {"user": [str(other.user.pk)]}
        )
        assert response.status_code == 403
        assert mail.outbox == []


class TestWhatARepSees:
    def test_a_rep_sees_the_org_but_not_the_admin_connections_details(self, owner, rep, workspace):
        admin = ConnectionFactory(
            workspace=workspace, api_usage_used=10, api_usage_max=100, remote_username="integration@acme.example"
        )

        text = integrations_page(rep.user, workspace)

        assert 'data-testid="workspace-org"' in text and "Acme" in text
        assert 'data-testid="admin-connection"' not in text
        assert "integration@acme.example" not in text and 'data-testid="api-usage"' not in text
        assert "Setup checklist" not in text and "Fix the setting" not in text
        assert reverse("integration_disconnect", args=[workspace.slug, admin.pk]) not in text
        assert 'data-testid="own-connect-form"' in text

    def test_an_admin_still_sees_every_detail(self, owner, workspace):
        ConnectionFactory(workspace=workspace, remote_username="integration@acme.example", api_usage_max=100)
        text = integrations_page(owner.user, workspace)
        assert 'data-testid="admin-connection"' in text and "integration@acme.example" in text
        assert "Setup checklist" in text and 'data-testid="api-usage"' in text


def test_the_migration_names_the_rep_of_events_from_before_the_field(owner, rep, workspace):
    """Disconnections made before the upgrade still read "Disconnected on …": the rep comes from the label."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("integrations.migrations.0003_event_subject_user")
    admin = ConnectionFactory(workspace=workspace)
    other = MembershipFactory(workspace=workspace, role=Role.REP)
    live = ConnectionFactory(workspace=workspace, kind=ConnectionKind.USER, user=other.user)
    old = ConnectionEvent.objects.create(
        workspace=workspace,
        connection_label=f"Salesforce connection of {rep.user.email}",
        provider="salesforce",
        action=ConnectionAction.DISCONNECTED,
    )
    connected = ConnectionEvent.objects.create(
        workspace=workspace, connection=live, connection_label="x", provider="salesforce", action="connected"
    )
    org = ConnectionEvent.objects.create(
        workspace=workspace, connection=admin, connection_label="y", provider="salesforce", action="connected"
    )

    migration.fill_subject_user(apps, None)

    for event in (old, connected, org):
        event.refresh_from_db()
    assert (old.subject_user, connected.subject_user, org.subject_user) == (rep.user, other.user, None)
    assert "Disconnected" in team_row(integrations_page(owner.user, workspace), rep.user.email)
