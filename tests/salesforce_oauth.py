"""Drive the sandbox's authorize pages (login, consent) over HTTP, the way a browser would, without a browser.

Used by the `salesforce_connect` fixture and the OAuth flow tests.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, OAuthApp
from integrations.types import ProviderSlug

TEST_HOST = "127.0.0.1:8000"
"""Host our test client claims to be; the sandbox's default callback URLs allow any loopback port."""


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name") and attrs.get("type") == "hidden":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def _form(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    assert parser.forms, f"No form on the page:\n{html[:2000]}"
    return parser.forms[-1]


def _follow_to_callback(response: requests.Response) -> str:
    assert response.status_code in (302, 303), f"Expected a redirect, got {response.status_code}: {response.text[:500]}"
    return response.headers["Location"]


def consent(authorize_url: str, *, username: str, password: str, approve: bool = True) -> str:
    """Log in and Allow (or Deny) on the sandbox; return the callback URL it redirects to (with code or error)."""
    session = requests.Session()
    page = session.get(authorize_url, allow_redirects=False, timeout=30)
    if page.status_code in (302, 303):  # an error sent straight back to the callback
        return page.headers["Location"]
    assert page.status_code == 200, page.text[:500]
    login = _form(page.text)
    after_login = session.post(
        urljoin(authorize_url, login["action"]),
        data={**login["fields"], "action": "login", "username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    if after_login.status_code in (302, 303):  # already consented, or refused before the consent page
        return after_login.headers["Location"]
    assert "Allow access?" in after_login.text, after_login.text[:1000]
    consent_form = _form(after_login.text)
    answer = session.post(
        urljoin(authorize_url, consent_form["action"]),
        data={**consent_form["fields"], "action": "approve" if approve else "deny"},
        allow_redirects=False,
        timeout=30,
    )
    return _follow_to_callback(answer)


def logged_in_client(user) -> Client:
    client = Client(HTTP_HOST=TEST_HOST)
    client.force_login(user)
    return client


def start_connect(client: Client, workspace, *, kind: str, login_url: str) -> str:
    """POST the connect form; return the sandbox authorize URL we were redirected to."""
    if kind == "admin":
        data = {"admin-environment": "my_domain", "admin-my_domain_url": login_url}
        response = client.post(reverse("integration_admin_connect", args=[workspace.slug]), data)
    else:  # a rep signs in on the admin connection's login host
        response = client.post(reverse("integration_own_connect", args=[workspace.slug]))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def finish_callback(client: Client, callback_url: str):
    """Hand the sandbox's redirect to our callback view (path and query only; the host is ours)."""
    parts = urlsplit(callback_url)
    assert parts.path == reverse("salesforce_oauth_callback"), callback_url
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def use_org_app(workspace, org) -> None:
    """Point the workspace at the sandbox org's External Client App."""
    OAuthApp.objects.update_or_create(
        workspace=workspace,
        provider=ProviderSlug.SALESFORCE,
        defaults={"consumer_key": org.consumer_key, "consumer_secret": org.consumer_secret},
    )


def connect(workspace, user, org, *, kind: str = "user", sandbox_user=None) -> Connection:
    """The whole web-server flow; returns the saved connection (fails the test if none was saved)."""
    if not OAuthApp.objects.filter(workspace=workspace).exists():
        use_org_app(workspace, org)
    sandbox_user = sandbox_user or (org.admin_user if kind == "admin" else org.rep_user)
    client = logged_in_client(user)
    authorize_url = start_connect(client, workspace, kind=kind, login_url=org.login_url)
    callback = consent(authorize_url, username=sandbox_user.username, password=sandbox_user.password)
    response = finish_callback(client, callback)
    assert response.status_code == 302, response.status_code
    owner = None if kind == "admin" else user
    connection = Connection.objects.filter(workspace=workspace, kind=kind, user=owner).first()
    if connection is None:
        page = client.get(response["Location"]).content.decode()
        raise AssertionError(f"No connection was saved. The integrations page said:\n{page[:4000]}")
    return connection
