import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from workspaces import services
from workspaces.models import MANAGE_CRM_SETTINGS, Role
from workspaces.permissions import crm_settings_view

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "expected"), [(Role.OWNER, True), (Role.ADMIN, True), (Role.REP, False)])
def test_manage_crm_settings_defaults_by_role(role, expected):
    membership = MembershipFactory(role=role)
    assert membership.user.has_perm(MANAGE_CRM_SETTINGS, membership.workspace) is expected


def test_permission_can_be_granted_to_a_rep_and_is_per_workspace():
    rep = MembershipFactory(role=Role.REP)
    owner = MembershipFactory(workspace=rep.workspace, role=Role.OWNER)
    other = MembershipFactory(user=rep.user, role=Role.REP)
    services.membership_update(membership=rep, role=Role.REP, manage_crm_settings=True, actor=owner)
    user = type(rep.user).objects.get(pk=rep.user.pk)  # fresh object: no permission cache
    assert user.has_perm(MANAGE_CRM_SETTINGS, rep.workspace)
    assert not user.has_perm(MANAGE_CRM_SETTINGS, other.workspace)
    assert not user.has_perm(MANAGE_CRM_SETTINGS)  # never a global permission


def test_non_member_has_no_workspace_permission():
    workspace = WorkspaceFactory()
    assert not UserFactory().has_perm(MANAGE_CRM_SETTINGS, workspace)


def test_last_owner_cannot_be_demoted_or_removed():
    owner = MembershipFactory(role=Role.OWNER)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.membership_update(membership=owner, role=Role.REP, manage_crm_settings=False, actor=owner)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=owner, actor=owner)


def _crm_request(method, membership):
    request = getattr(RequestFactory(), method)("/w/x/settings/")
    request.user = membership.user
    request.workspace = membership.workspace
    request.membership = membership
    return request


def test_crm_settings_view_lets_reps_read_but_not_write():
    view = crm_settings_view(lambda request: "ok")
    rep = MembershipFactory(role=Role.REP)
    assert view(_crm_request("get", rep)) == "ok"
    with pytest.raises(PermissionDenied, match="Manage CRM Settings"):
        view(_crm_request("post", rep))
    admin = MembershipFactory(role=Role.ADMIN)
    assert view(_crm_request("post", admin)) == "ok"
