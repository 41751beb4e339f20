"""OAuth refuses what an attacker would try, for every provider in the registry.

Already covered for Salesforce, not repeated here: a replayed callback, another person's state, an expired
state, a reused or expired code, a non-Salesforce My Domain and plain http (tests/integrations/test_oauth_flow.py),
and URLs two parsers read differently (tests/integrations/test_hosts_strict.py). This file adds: an attacker's
code injected into a victim's callback, a state whose starter lost the right to connect meanwhile, a tampered
Host or X-Forwarded-Host (the redirect URI is ours, always), a redirect URI changed on the way to the provider,
and host-check bypasses typed into the connect form (backslashes, userinfo, IDN look-alikes, IP tricks).

A provider joins by adding its driver to DRIVERS; a registered provider without one fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, ConnectionAction, ConnectionEvent, OAuthState
from integrations.registry import registry
from integrations.types import ProviderSlug
from tests.factories import MembershipFactory
from tests.salesforce_oauth import TEST_HOST, consent, finish_callback, logged_in_client, start_connect, use_org_app
from workspaces.models import Role

pytestmark = pytest.mark.django_db


@dataclass
class SalesforceDriver:
    """Drives the Salesforce web-server flow against the sandbox."""

    org: object

    def setup(self, workspace):
        use_org_app(workspace, self.org)

    def authorize(self, client, workspace) -> str:
        return start_connect(client, workspace, kind="admin", login_url=self.org.login_url)

    def consent(self, authorize_url: str, *, user=None) -> str:
        user = user or self.org.admin_user
        return consent(authorize_url, username=user.username, password=user.password)

    def callback_path(self) -> str:
        return reverse("salesforce_oauth_callback")

    def connect_post(self, client, workspace, url: str):
        return client.post(reverse("integration_admin_connect", args=[workspace.slug]),
                           {"admin-environment": "my_domain", "admin-my_domain_url": url})  # fmt: skip


DRIVERS = {ProviderSlug.SALESFORCE: SalesforceDriver}


@pytest.fixture(params=[p.slug for p in registry.all()])
def driver(request, sandbox_org):
    if request.param not in DRIVERS:
        pytest.fail(f"Provider {request.param} has no OAuth guard driver: add one to DRIVERS in {__name__}")
    return DRIVERS[request.param](sandbox_org)


@pytest.fixture
def victim(driver):
    owner = MembershipFactory(role=Role.OWNER)
    driver.setup(owner.workspace)
    return owner


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _with(url: str, **params) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**_query(url), **params})))


def test_an_attackers_code_in_a_victims_callback_is_refused(driver, victim):
    """Login CSRF / code injection: the attacker authorises their own account, keeps the code, and gets the victim
    to open our callback with it and the victim's own state. PKCE binds the code to the attacker's verifier."""
    attacker = MembershipFactory(role=Role.OWNER)
    driver.setup(attacker.workspace)
    attacker_callback = driver.consent(driver.authorize(logged_in_client(attacker.user), attacker.workspace),
                                       user=driver.org.rep_user)  # fmt: skip
    victim_client = logged_in_client(victim.user)
    victim_state = _query(driver.authorize(victim_client, victim.workspace))["state"]

    response = victim_client.get(driver.callback_path(), {"code": _query(attacker_callback)["code"],
                                                          "state": victim_state})  # fmt: skip

    assert response.status_code == 302
    page = victim_client.get(response["Location"]).content.decode()
    assert "was not connected" in page
    assert not Connection.objects.exists()
    assert ConnectionEvent.objects.filter(workspace=victim.workspace, action=ConnectionAction.CONNECT_FAILED).exists()


def test_a_state_whose_starter_lost_the_right_to_connect_is_refused(driver, victim):
    """Demoted to Rep while at the provider: the callback checks the role again and saves nothing."""
    client = logged_in_client(victim.user)
    callback = driver.consent(driver.authorize(client, victim.workspace))
    MembershipFactory(workspace=victim.workspace, role=Role.OWNER)  # someone else keeps the workspace
    type(victim).objects.filter(pk=victim.pk).update(role=Role.REP)

    page = client.get(finish_callback(client, callback)["Location"]).content.decode()

    assert "Manage CRM Settings" in page
    assert not Connection.objects.exists()


def test_a_foreign_host_header_cannot_choose_the_redirect_uri(driver, victim):
    """The redirect URI goes to the provider and back; it must be ours whatever Host the request claims."""
    refused = Client(HTTP_HOST="evil.example")
    refused.force_login(victim.user)
    response = driver.connect_post(refused, victim.workspace, driver.org.login_url)
    assert response.status_code == 400  # Django refuses a Host outside ALLOWED_HOSTS
    assert not OAuthState.objects.exists()

    spoofed = Client(HTTP_HOST=TEST_HOST, HTTP_X_FORWARDED_HOST="evil.example")
    spoofed.force_login(victim.user)
    authorize_url = driver.authorize(spoofed, victim.workspace)
    redirect_uri = _query(authorize_url)["redirect_uri"]
    assert urlsplit(redirect_uri).netloc == TEST_HOST, redirect_uri
    assert OAuthState.objects.get().redirect_uri == redirect_uri


@pytest.mark.parametrize(
    "tampered",
    ["http://127.0.0.1:8000/steal/", "http://127.0.0.1:8000/integrations/salesforce/callback/../../evil",
     "http://localhost:8000/integrations/salesforce/callback/"],
)  # fmt: skip
def test_a_code_issued_for_a_tampered_redirect_uri_is_refused(driver, victim, tampered):
    """Someone rewrites redirect_uri on the way to the provider (the emulator, like a permissive app, accepts any
    loopback callback) and so receives the code elsewhere, then feeds it to our callback with the state. Our
    exchange sends the redirect URI we stored, never one from the request, so the provider refuses the code."""
    client = logged_in_client(victim.user)
    authorize_url = driver.authorize(client, victim.workspace)
    stored = OAuthState.objects.get().redirect_uri
    assert _query(authorize_url)["redirect_uri"] == stored
    elsewhere = driver.consent(_with(authorize_url, redirect_uri=tampered))
    assert elsewhere.startswith(tampered.split("?")[0]) and "code=" in elsewhere, elsewhere

    response = client.get(driver.callback_path(), _query(elsewhere))

    page = client.get(response["Location"]).content.decode()
    assert "was not connected" in page
    assert not Connection.objects.exists()


BYPASSES = [
    "https://evil.example\\@acme.my.salesforce.com",  # backslash read as a path by one parser, userinfo by another
    "https:\\\\evil.example\\.my.salesforce.com",
    "https://acme.my.salesforce.com:443@evil.example",  # userinfo
    "https://acme.my.salesforce.com%40evil.example",
    "https://acme.my.salesforce.com.evil.example",  # suffix games
    "https://evil.example/acme.my.salesforce.com",
    "https://acme.my.sаlesforce.com",  # Cyrillic а: an IDN look-alike
    "https://xn--acme-my-slesforce-com-0nc.example",  # punycode
    "https://acme.my.salesforce.com\u3002evil.example",  # ideographic full stop, a dot to IDNA
    "https://evil.example\uff0emy.salesforce.com",  # fullwidth full stop
    "https://2130706433",  # 127.0.0.1 in decimal
    "https://0x7f000001",  # and in hex
    "https://0177.0.0.1",  # and in octal
    "https://127.1",
    "https://[::ffff:127.0.0.1]",
    "https://169.254.169.254",  # cloud metadata
    "https://localhost.my.salesforce.com@127.0.0.1",
    "https://127.0.0.1.nip.io",
]


@pytest.mark.parametrize("url", BYPASSES)
def test_host_check_bypasses_in_the_connect_form_are_refused(driver, victim, settings, url):
    """Production rules (no loopback): the form answers 400 with a message, and no attempt is started, so no
    request leaves for that host."""
    settings.SALESFORCE_ALLOW_LOOPBACK_HTTP = False
    client = logged_in_client(victim.user)
    response = driver.connect_post(client, victim.workspace, url)
    assert response.status_code == 400, (url, response.status_code, response.get("Location"))
    assert not OAuthState.objects.exists()
