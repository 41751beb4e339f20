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


def _ingest(workspace, events):
    from activities.services.ingest import events_ingest

    return events_ingest(workspace=workspace, events=events)


@pytest.fixture
def unconnected_rep():
    """A workspace whose admin connection exists (a row: nothing here talks to Salesforce) and a rep without one."""
    from tests.integrations.factories import ConnectionFactory

    owner = MembershipFactory(role=Role.OWNER)
    ConnectionFactory(workspace=owner.workspace, remote_username="integration@acme.example", api_usage_max=100)
    return MembershipFactory(workspace=owner.workspace, role=Role.REP)


def test_a_rep_without_a_connection_sees_a_connect_button_and_their_waiting_calls(client, unconnected_rep):
    from tests.activities.conftest import activity_event

    rep, workspace = unconnected_rep.user, unconnected_rep.workspace
    other = MembershipFactory(workspace=workspace, role=Role.REP).user
    _ingest(workspace, [activity_event(n, rep=rep) for n in range(3)] + [activity_event(9, rep=other)])
    client.force_login(rep)

    text = _status_text(client, workspace)

    own = text[text.index('data-testid="home-own-connection"') :]
    assert "You have not connected Salesforce" in own
    assert f'action="/w/{workspace.slug}/integrations/salesforce/connect/me/"' in own and "Connect Salesforce" in own
    assert "3 of your calls are waiting until you connect Salesforce." in own
    # Their own counts, not the team's (the other rep's call is not theirs), and nothing of the admin connection.
    assert "Your activity" in text and "0 written · 3 pending · 0 failed" in text
    assert "integration@acme.example" not in text and "Fix the setting" not in text


def test_waiting_writes_are_counted_by_kind_and_activity_not_by_job(client, unconnected_rep):
    from tests.activities.conftest import activity_event

    rep, workspace = unconnected_rep.user, unconnected_rep.workspace
    events = [activity_event(n, rep=rep) for n in range(2)]
    events += [activity_event(5, rep=rep, kind="email_sent"), activity_event(6, rep=rep, kind="sms")]
    result = _ingest(workspace, events)
    assert len(result.job_ids) > len(events)  # each activity also needs its prospect found: more jobs than activities
    client.force_login(rep)

    text = _status_text(client, workspace)

    assert "Your 2 calls, 1 sent email and 1 SMS are waiting until you connect Salesforce." in text


def test_a_rep_whose_connection_broke_is_asked_to_reconnect(client, unconnected_rep):
    from activities.models import JobStatus, WritebackJob
    from tests.activities.conftest import activity_event
    from tests.integrations.factories import ConnectionFactory

    rep, workspace = unconnected_rep.user, unconnected_rep.workspace
    ConnectionFactory(
        workspace=workspace, kind="user", user=rep, status="reconnect_required", status_reason="The token was revoked."
    )
    _ingest(workspace, [activity_event(1, rep=rep)])
    WritebackJob.objects.filter(user=rep).update(status=JobStatus.WAITING_RECONNECT)
    client.force_login(rep)

    text = _status_text(client, workspace)

    assert "Your Salesforce connection stopped working." in text and "The token was revoked." in text
    assert "Reconnect Salesforce" in text
    assert "1 call of yours is waiting until you reconnect Salesforce." in text


def test_a_connected_rep_sees_their_salesforce_user_and_no_waiting_line(client, unconnected_rep):
    from tests.activities.conftest import activity_event
    from tests.integrations.factories import ConnectionFactory

    rep, workspace = unconnected_rep.user, unconnected_rep.workspace
    ConnectionFactory(workspace=workspace, kind="user", user=rep, remote_username="ray@acme.example")
    _ingest(workspace, [activity_event(1, rep=rep)])
    client.force_login(rep)

    text = _status_text(client, workspace)

    assert "You write as <strong>ray@acme.example</strong>" in text
    assert "home-own-waiting" not in text and "Connect Salesforce</button>" not in text


def test_an_admin_sees_the_org_connection_and_the_teams_counts(client, unconnected_rep):
    from tests.activities.conftest import activity_event

    workspace = unconnected_rep.workspace
    owner = workspace.memberships.get(role=Role.OWNER).user
    _ingest(workspace, [activity_event(1, rep=unconnected_rep.user)])
    client.force_login(owner)

    text = _status_text(client, workspace)

    assert 'data-testid="home-admin-connection"' in text and "Acme" in text
    assert "Activity writeback" in text and "Your activity" not in text
    assert "home-own-waiting" not in text  # the rep's waiting call is theirs, not the owner's
