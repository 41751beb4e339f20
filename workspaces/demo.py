"""The demo workspace `make run` seeds. Idempotent: running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from integrations.services.apps import oauth_app_seed_sandbox_demo
from workspaces.models import Membership, Role, Workspace

DEMO_WORKSPACE_NAME = "Acme Sales"
DEMO_WORKSPACE_SLUG = "acme-sales"
DEMO_PASSWORD = "switchboard-demo"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    is_staff: bool = False


DEMO_PEOPLE = (
    DemoPerson("owner@acme.example", "Olivia Owner", Role.OWNER, is_staff=True),
    DemoPerson("rep@acme.example", "Ray Rep", Role.REP),
)


@transaction.atomic
def demo_seed() -> tuple[Workspace, list[DemoPerson]]:
    User = get_user_model()
    workspace, _ = Workspace.objects.get_or_create(slug=DEMO_WORKSPACE_SLUG, defaults={"name": DEMO_WORKSPACE_NAME})
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=DEMO_PASSWORD,
                full_name=person.full_name,
                is_staff=person.is_staff,
                is_superuser=person.is_staff,
            )
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": person.role})
    # With a local sandbox, "Connect Salesforce" › "Local sandbox (demo)" signs in to its demo org.
    oauth_app_seed_sandbox_demo(workspace=workspace)
    return workspace, list(DEMO_PEOPLE)
