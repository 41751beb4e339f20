"""The admin connection's Environment line names the local sandbox as such, not as the My Domain it is stored as."""

import pytest

from integrations.forms import SANDBOX_PRESET, ConnectForm
from integrations.models import Environment
from tests.factories import MembershipFactory
from tests.integrations.factories import ConnectionFactory
from tests.salesforce_oauth import logged_in_client
from workspaces.models import Role

pytestmark = pytest.mark.django_db

SANDBOX = "http://127.0.0.1:8765"


def environment_shown(owner) -> str:
    page = logged_in_client(owner.user).get(f"/w/{owner.workspace.slug}/integrations/").content.decode()
    start = page.index('data-testid="admin-environment">') + len('data-testid="admin-environment">')
    return page[start : page.index("<", start)].strip()


def test_after_choosing_local_sandbox_the_environment_reads_local_sandbox(settings):
    settings.SANDBOX_URL = SANDBOX
    form = ConnectForm({"admin-environment": SANDBOX_PRESET}, prefix="admin")
    assert form.is_valid(), form.errors
    owner = MembershipFactory(role=Role.OWNER)
    # What the connect flow stores for the preset: the sandbox reached as a My Domain.
    ConnectionFactory(workspace=owner.workspace, environment=form.cleaned_data["environment"],
                      login_url=form.cleaned_data["my_domain_url"] + "/")  # fmt: skip
    assert environment_shown(owner) == "Local sandbox"


@pytest.mark.parametrize(
    "environment, login_url, shown",
    [
        (Environment.MY_DOMAIN, "https://acme.my.salesforce.com", "My Domain"),
        (Environment.PRODUCTION, "https://login.salesforce.com", "Production"),
        (Environment.SANDBOX, "https://test.salesforce.com", "Sandbox"),
    ],
)
def test_real_orgs_keep_their_environment(settings, environment, login_url, shown):
    settings.SANDBOX_URL = SANDBOX
    owner = MembershipFactory(role=Role.OWNER)
    ConnectionFactory(workspace=owner.workspace, environment=environment, login_url=login_url)
    assert environment_shown(owner) == shown
