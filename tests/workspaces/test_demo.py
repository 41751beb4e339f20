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


def test_with_a_local_sandbox_the_demo_workspace_uses_the_sandbox_demo_app(settings):
    from integrations.models import OAuthApp
    from sandbox.seed import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET

    settings.SANDBOX_URL = "http://127.0.0.1:8765"
    call_command("seed_demo")
    call_command("seed_demo")

    app = OAuthApp.objects.get(workspace__name="Acme Sales")
    assert (app.consumer_key, app.consumer_secret) == (DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET)


def test_without_a_sandbox_the_demo_workspace_has_no_app(settings):
    from integrations.models import OAuthApp

    settings.SANDBOX_URL = ""
    call_command("seed_demo")
    assert not OAuthApp.objects.exists()
