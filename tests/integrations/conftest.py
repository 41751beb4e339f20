"""A workspace with its owner and a rep, as most integration pages need them."""

import pytest

from tests.factories import MembershipFactory
from workspaces.models import Role


@pytest.fixture
def owner():
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def workspace(owner):
    return owner.workspace


@pytest.fixture
def rep(workspace):
    return MembershipFactory(workspace=workspace, role=Role.REP)
