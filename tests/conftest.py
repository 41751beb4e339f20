import os
import shutil

import pytest

pytest_plugins = ["sandbox.testing"]

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def salesforce_connect(sandbox):
    """Connect Salesforce for a workspace through the REAL web-server flow against the sandbox.

    Returns `connect(workspace, user, org, *, kind="user", sandbox_user=None) -> Connection`:
    signs `user` in to our app, POSTs the connect form, logs in on the sandbox's authorize page as
    `sandbox_user` (default: the org's admin user for kind="admin", its first rep for kind="user"), clicks
    Allow, and hands the redirect to our callback view. The workspace gets the org's External Client App
    (an `OAuthApp` row) if it has none. A rep ("user") connection needs the workspace's admin connection
    first, and signs in on its login host. Needs the database (`@pytest.mark.django_db`, transactional or not).

        admin = salesforce_connect(ws, owner, sandbox_org, kind="admin")
        rep = salesforce_connect(ws, rep_user, sandbox_org, sandbox_user=sandbox_org.user("rep2"))
    """
    from tests.salesforce_oauth import connect

    return connect


@pytest.fixture
def salesforce_connection(salesforce_connect, sandbox_org):
    """An admin connection, made by the real OAuth flow, for a new workspace whose owner is
    `salesforce_connection.connected_by`; the org is the test's `sandbox_org`. Add reps with
    `salesforce_connect(connection.workspace, rep, sandbox_org)`."""
    from tests.factories import MembershipFactory
    from workspaces.models import Role

    owner = MembershipFactory(role=Role.OWNER)
    return salesforce_connect(owner.workspace, owner.user, sandbox_org, kind="admin")
