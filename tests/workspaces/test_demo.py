import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from workspaces.demo import DEMO_PASSWORD
from workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_printed_credentials_work(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Workspace.objects.filter(name="Acme Sales").count() == 1
    assert Membership.objects.filter(workspace__name="Acme Sales").count() == 2
    assert "owner@acme.example" in out and DEMO_PASSWORD in out
    owner = authenticate(email="owner@acme.example", password=DEMO_PASSWORD)
    assert owner is not None and owner.is_staff
