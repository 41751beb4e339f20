import re

import pytest
from django.core import mail

from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from workspaces.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wrong_password_shows_a_clear_message(client):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "not-it"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


def test_sign_in_reaches_the_workspace_home(client):
    membership = MembershipFactory(role=Role.OWNER)
    response = client.post(
        "/accounts/login/", {"login": membership.user.email, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.request["PATH_INFO"] == f"/w/{membership.workspace.slug}/"
    assert membership.workspace.name in response.content.decode()


def test_user_without_workspace_is_offered_to_create_one(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/workspaces/new/"
    response = client.post("/workspaces/new/", {"name": "Night Owls"}, follow=True)
    assert Membership.objects.get(user=user).role == Role.OWNER
    assert "Night Owls" in response.content.decode()


def test_other_workspace_answers_404_in_app_style(client):
    mine = MembershipFactory()
    theirs = MembershipFactory()
    client.force_login(mine.user)
    for url in (f"/w/{theirs.workspace.slug}/", f"/w/{theirs.workspace.slug}/integrations/", "/w/no-such/"):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Page not found" in body
        assert theirs.workspace.name not in body


def test_switching_workspace_remembers_the_last_one(client):
    first = MembershipFactory()
    second = MembershipFactory(user=first.user)
    client.force_login(first.user)
    client.get(f"/w/{second.workspace.slug}/")
    response = client.get("/")
    assert response["Location"] == f"/w/{second.workspace.slug}/"


def test_rep_cannot_manage_members(client):
    rep = MembershipFactory(role=Role.REP)
    client.force_login(rep.user)
    response = client.post(f"/w/{rep.workspace.slug}/members/invite/", {"email": "x@example.test", "role": "rep"})
    assert response.status_code == 403
    assert "owners and admins" in response.content.decode()


def test_invitation_flow_from_email_to_membership(client, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role=Role.OWNER)
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/{owner.workspace.slug}/members/invite/", {"email": "new.rep@example.test", "role": "rep"}, follow=True
        )
    assert "Invitation sent to new.rep@example.test" in response.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)

    client.logout()
    invitee = UserFactory(email="new.rep@example.test")
    client.force_login(invitee)
    response = client.post(link, follow=True)
    assert response.request["PATH_INFO"] == f"/w/{owner.workspace.slug}/"
    assert Membership.objects.get(user=invitee, workspace=owner.workspace).role == Role.REP
    # The link is single-use.
    assert client.get(link).status_code == 404


def test_invitation_refuses_a_different_signed_in_address(client, django_capture_on_commit_callbacks):
    owner = MembershipFactory(role=Role.OWNER)
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{owner.workspace.slug}/members/invite/", {"email": "a@example.test", "role": "rep"})
    link = re.search(r"(/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)
    client.force_login(UserFactory(email="b@example.test"))
    response = client.post(link, follow=True)
    assert "This invitation was sent to a@example.test" in response.content.decode()
    assert not Membership.objects.filter(user__email="b@example.test").exists()


def test_unknown_invitation_link_gets_a_clear_page(client):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_owner_grants_manage_crm_settings_to_a_rep(client):
    owner = MembershipFactory(role=Role.OWNER)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    client.force_login(owner.user)
    client.post(f"/w/{owner.workspace.slug}/members/{rep.pk}/", {"role": "rep", "manage_crm_settings": "on"})
    assert rep.granted_permissions.filter(codename="manage_crm_settings").exists()
    response = client.get(f"/w/{owner.workspace.slug}/members/")
    assert "Yes (granted)" in response.content.decode()


def test_member_of_another_workspace_cannot_be_edited_through_mine(client):
    owner = MembershipFactory(role=Role.OWNER)
    stranger = MembershipFactory()
    client.force_login(owner.user)
    response = client.post(f"/w/{owner.workspace.slug}/members/{stranger.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=stranger.pk).exists()
