"""The host we check is the host we call: URLs that two parsers read differently are refused."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from integrations.errors import IntegrationError
from integrations.http import LocalAddressRefused
from integrations.providers.salesforce import oauth
from integrations.providers.salesforce.hosts import InvalidSalesforceUrl, normalize_base_url

BYPASSES = [
    "https://evil.example\\.my.salesforce.com",
    "https://evil.example\\@acme.my.salesforce.com",
    "https://acme.my.salesforce.com@evil.example",
    "https://user:pw@acme.my.salesforce.com",
    "https://evil.example%2emy.salesforce.com",
    "https://acme.my.salesforce.com%00.evil.example",
    "https://acme.my.salesforce.com\t.evil.example",
    "https://acme.my.salesforce.com\x00",
    "https://evil.example#.my.salesforce.com",
    "https://evil.example?.my.salesforce.com",
    "https://-acme.my.salesforce.com",
]


@pytest.mark.parametrize("url", BYPASSES)
def test_urls_that_parsers_disagree_on_are_refused(url):
    with pytest.raises(InvalidSalesforceUrl):
        normalize_base_url(url)


def test_the_checked_url_is_the_one_requests_would_connect_to():
    url = normalize_base_url("https://Acme.My.Salesforce.com/lightning/page/home")
    assert url == "https://acme.my.salesforce.com"
    assert (
        requests.Request("GET", url + "/services/oauth2/token")
        .prepare()
        .url.startswith("https://acme.my.salesforce.com/")
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:22",
        "http://localhost:8765",
        "https://10.0.0.5",
        "https://169.254.169.254",
        "http://[::1]:8000",
    ],
)
def test_production_never_accepts_local_private_or_ip_hosts(settings, url):
    settings.SALESFORCE_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(InvalidSalesforceUrl):
        normalize_base_url(url)


@pytest.mark.parametrize("url", ["https://10.0.0.5", "https://192.168.1.1", "https://169.254.169.254"])
def test_private_ip_literals_are_refused_even_in_development(settings, url):
    settings.SALESFORCE_ALLOW_LOOPBACK_HTTP = True
    with pytest.raises(InvalidSalesforceUrl):
        normalize_base_url(url)


def test_development_keeps_ipv6_brackets(settings):
    settings.SALESFORCE_ALLOW_LOOPBACK_HTTP = True
    assert normalize_base_url("http://[::1]:8000/x") == "http://[::1]:8000"
    assert normalize_base_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"


def test_closed_port_and_wrong_server_read_the_same(settings):
    """Test Connection must not tell whoever types the URL whether a port is open."""

    class NotSalesforce(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>SSH-2.0-OpenSSH</html>")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), NotSalesforce)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    messages = []
    for port in (server.server_port, closed):
        with pytest.raises(IntegrationError) as caught:
            oauth._post_token(f"http://127.0.0.1:{port}/services/oauth2/token", {"grant_type": "x"})
        messages.append((type(caught.value), str(caught.value).replace(str(port), "PORT"), caught.value.code))
    server.shutdown()
    assert messages[0] == messages[1]


def test_production_never_connects_to_names_that_resolve_to_local_addresses(settings):
    """A name that passes the host check but resolves to this machine or a private network is never called."""
    settings.HTTP_ALLOW_LOCAL_ADDRESSES = False
    with pytest.raises(IntegrationError) as caught:
        oauth._post_token("http://localhost:9/services/oauth2/token", {"grant_type": "x"})
    assert isinstance(caught.value.__cause__, LocalAddressRefused)
    settings.HTTP_ALLOW_LOCAL_ADDRESSES = True
    with pytest.raises(IntegrationError) as caught:
        oauth._post_token("http://localhost:9/services/oauth2/token", {"grant_type": "x"})
    assert not isinstance(caught.value.__cause__, LocalAddressRefused)
