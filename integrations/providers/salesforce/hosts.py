"""Which hosts we accept as Salesforce login / My Domain / instance URLs, and the login URL per environment.

We send consumer secrets and tokens to these hosts, so anything typed by a person is checked first.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlparse

from django.conf import settings
from urllib3.util import parse_url

from integrations.models import Environment

LOOPBACK_NAMES = frozenset({"localhost"})
# A DNS name as a resolver reads it: dot-separated labels of letters, digits and inner hyphens. Anything else in
# the host (backslashes, percent escapes, userinfo, spaces) is where two URL parsers start to disagree.
DNS_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
# Characters no Salesforce URL an admin pastes ever needs; each has let one parser see a different host than another.
FORBIDDEN = re.compile(r"[\\@%\s\x00-\x1f\x7f]")


class InvalidSalesforceUrl(ValueError):
    """A URL we will not send credentials to; the message says why in words an admin understands."""


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _authority(value: str) -> str:
    """What sits between `scheme://` and the first `/`, `?` or `#`: the part both parsers must read alike."""
    rest = value.split("://", 1)[1]
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def normalize_base_url(value: str) -> str:
    """`https://acme.my.salesforce.com` from whatever an admin pasted (trailing paths and slashes dropped).

    The host is read once, strictly, and must be the host `requests` (urllib3) would connect to; the URL we return
    is rebuilt from that one reading, so what was checked is what is called. https only; plain http and IP
    literals only for loopback hosts when SALESFORCE_ALLOW_LOOPBACK_HTTP (the local sandbox, in development).
    """
    value = (value or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    if not value or FORBIDDEN.search(_authority(value)):
        raise InvalidSalesforceUrl("Enter the full URL, for example https://acme.my.salesforce.com.")
    parsed = urlparse(value)
    try:
        connect_host = (parse_url(value).host or "").lower()
        port = parsed.port
    except ValueError as exc:
        raise InvalidSalesforceUrl("Enter the full URL, for example https://acme.my.salesforce.com.") from exc
    host = (parsed.hostname or "").lower()
    ip = _ip_literal(host)
    if not host or connect_host.strip("[]") != host or (ip is None and not DNS_NAME.match(host)):
        raise InvalidSalesforceUrl("Enter the full URL, for example https://acme.my.salesforce.com.")
    loopback = host in LOOPBACK_NAMES or (ip is not None and ip.is_loopback)
    allow_local = settings.SALESFORCE_ALLOW_LOOPBACK_HTTP
    if ip is not None and not (loopback and allow_local):
        raise InvalidSalesforceUrl("Use your org's My Domain URL, not an IP address.")
    if loopback and not allow_local:
        raise InvalidSalesforceUrl("Local addresses are not allowed here.")
    if parsed.scheme not in ("https", "http") or (parsed.scheme == "http" and not loopback):
        raise InvalidSalesforceUrl("Salesforce URLs must start with https://.")
    if not loopback and not host.endswith(tuple(settings.SALESFORCE_ALLOWED_HOST_SUFFIXES)):
        raise InvalidSalesforceUrl(
            f"{host} is not a Salesforce domain. Use your org's My Domain URL, which ends in .my.salesforce.com "
            "(find it in Setup › My Domain)."
        )
    shown = f"[{host}]" if ip is not None and ip.version == 6 else host
    netloc = shown if port is None else f"{shown}:{port}"
    return f"{parsed.scheme}://{netloc}"


def login_url_for(environment: str, my_domain_url: str = "") -> str:
    if environment == Environment.PRODUCTION:
        return settings.SALESFORCE_PRODUCTION_LOGIN_URL.rstrip("/")
    if environment == Environment.SANDBOX:
        return settings.SALESFORCE_SANDBOX_LOGIN_URL.rstrip("/")
    return normalize_base_url(my_domain_url)
