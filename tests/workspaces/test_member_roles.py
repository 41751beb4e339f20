"""Who may hand out, change and take away the Owner role (issue 13, item 5: an admin could take a workspace over)."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from workspaces import services
from workspaces.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(workspace=owner.workspace, role=Role.ADMIN)
    rep = MembershipFactory(workspace=owner.workspace, role=Role.REP)
    return owner, admin, rep


def _role(membership) -> str:
    return Membership.objects.get(pk=membership.pk).role


class TestAdminCannotTakeOver:
    def test_admin_cannot_promote_themselves(self, client, team):
        owner, admin, rep = team
        client.force_login(admin.user)
        response = client.post(f"/w/{admin.workspace.slug}/members/{admin.pk}/", {"role": "owner"})
        assert response.status_code == 200
        assert "Only an owner can make someone an owner" in response.content.decode()
        assert _role(admin) == Role.ADMIN

    def test_admin_cannot_demote_or_remove_an_owner(self, client, team):
        owner, admin, rep = team
        MembershipFactory(workspace=owner.workspace, role=Role.OWNER)  # not the last owner: the rule alone refuses
        client.force_login(admin.user)
        response = client.post(f"/w/{owner.workspace.slug}/members/{owner.pk}/", {"role": "rep"})
        assert "Only an owner can make someone an owner, or change or remove an owner." in response.content.decode()
        assert _role(owner) == Role.OWNER
        response = client.post(f"/w/{owner.workspace.slug}/members/{owner.pk}/remove/", follow=True)
        assert "Only an owner can" in response.content.decode()
        assert Membership.objects.filter(pk=owner.pk).exists()

    def test_admin_cannot_make_a_rep_an_owner(self, client, team):
        owner, admin, rep = team
        client.force_login(admin.user)
        client.post(f"/w/{owner.workspace.slug}/members/{rep.pk}/", {"role": "owner"})
        assert _role(rep) == Role.REP

    def test_admin_cannot_invite_an_owner(self, client, team, django_capture_on_commit_callbacks):
        owner, admin, rep = team
        client.force_login(admin.user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/w/{owner.workspace.slug}/members/invite/",
                {"email": "ally@example.test", "role": "owner"},
                follow=True,
            )
        assert "Only an owner can make someone an owner" in response.content.decode()
        assert not Invitation.objects.exists() and not mail.outbox

    def test_an_owner_invitation_sent_by_a_non_owner_is_refused_on_accept(self, team):
        # Invitations an admin sent before this rule existed must not make anyone an owner.
        owner, admin, rep = team
        invitation = services.invitation_create(
            workspace=owner.workspace, email="ally@example.test", role=Role.ADMIN, invited_by=admin.user, base_url="/"
        )
        Invitation.objects.filter(pk=invitation.pk).update(role=Role.OWNER)
        invitation.refresh_from_db()
        with pytest.raises(ValidationError, match="not an owner"):
            services.invitation_accept(invitation=invitation, user=UserFactory(email="ally@example.test"))
        assert not Membership.objects.filter(user__email="ally@example.test").exists()

    def test_services_refuse_without_the_view(self, team):
        owner, admin, rep = team
        with pytest.raises(ValidationError, match="Only an owner"):
            services.membership_update(membership=admin, role=Role.OWNER, manage_crm_settings=False, actor=admin)
        with pytest.raises(ValidationError, match="Only an owner"):
            services.membership_remove(membership=owner, actor=admin)
        with pytest.raises(ValidationError, match="owners and admins"):
            services.membership_update(membership=rep, role=Role.ADMIN, manage_crm_settings=False, actor=rep)
        assert (_role(owner), _role(admin), _role(rep)) == (Role.OWNER, Role.ADMIN, Role.REP)


class TestWhatStillWorks:
    def test_rep_cannot_raise_their_own_role_even_through_the_service(self, team):
        owner, admin, rep = team
        with pytest.raises(ValidationError):
            services.membership_update(membership=rep, role=Role.ADMIN, manage_crm_settings=False, actor=rep)

    def test_admin_manages_reps_and_admins(self, client, team):
        owner, admin, rep = team
        client.force_login(admin.user)
        client.post(f"/w/{owner.workspace.slug}/members/{rep.pk}/", {"role": "admin"})
        assert _role(rep) == Role.ADMIN
        client.post(f"/w/{owner.workspace.slug}/members/{rep.pk}/remove/")
        assert not Membership.objects.filter(pk=rep.pk).exists()

    def test_owner_invites_an_owner_who_can_then_accept(self, client, team, django_capture_on_commit_callbacks):
        owner, admin, rep = team
        client.force_login(owner.user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/w/{owner.workspace.slug}/members/invite/", {"email": "co@example.test", "role": "owner"})
        link = re.search(r"(/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)
        client.force_login(UserFactory(email="co@example.test"))
        client.post(link)
        assert Membership.objects.get(user__email="co@example.test").role == Role.OWNER

    def test_owner_promotes_an_admin_and_steps_down(self, client, team):
        owner, admin, rep = team
        client.force_login(owner.user)
        client.post(f"/w/{owner.workspace.slug}/members/{admin.pk}/", {"role": "owner"})
        assert _role(admin) == Role.OWNER
        client.post(f"/w/{owner.workspace.slug}/members/{owner.pk}/", {"role": "admin"})
        assert _role(owner) == Role.ADMIN  # lowering your own role is allowed while another owner remains

    def test_the_last_owner_cannot_step_down_or_leave(self, client, team):
        owner, admin, rep = team
        client.force_login(owner.user)
        response = client.post(f"/w/{owner.workspace.slug}/members/{owner.pk}/", {"role": "admin"})
        assert "at least one owner" in response.content.decode()
        client.post(f"/w/{owner.workspace.slug}/members/{owner.pk}/remove/")
        assert _role(owner) == Role.OWNER


def test_admins_are_not_offered_the_owner_role(client):

    admin = MembershipFactory(role=Role.ADMIN)
    rep = MembershipFactory(workspace=admin.workspace, role=Role.REP)
    client.login(email=admin.user.email, password=DEFAULT_PASSWORD)
    members = client.get(f"/w/{admin.workspace.slug}/members/").content.decode()
    edit = client.get(f"/w/{admin.workspace.slug}/members/{rep.pk}/").content.decode()
    for html in (members, edit):
        assert 'value="admin"' in html and 'value="owner"' not in html
