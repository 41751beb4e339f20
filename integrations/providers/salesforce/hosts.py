"""Which hosts we accept as Salesforce login / My Domain / instance URLs, and the login URL per environment.

We send consumer secrets and tokens to these hosts, so anything typed by a person is checked first.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from django.conf import settings

from integrations.models import Environment

LOOPBACK_NAMES = frozenset({"localhost"})


class InvalidSalesforceUrl(ValueError):
    """A URL we will not send credentials to; the message says why in words an admin understands."""


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(value: str) -> str:
    """`https://acme.my.salesforce.com` from whatever an admin pasted (trailing paths and slashes dropped).

    https only; plain http only for loopback hosts when SALESFORCE_ALLOW_LOOPBACK_HTTP (the local sandbox).
    """
    value = (value or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    parsed = urlparse(value)
    host = (parsed.hostname or "").lower()
    if not host:
        raise InvalidSalesforceUrl("Enter the full URL, for example https://acme.my.salesforce.com.")
    loopback = _is_loopback(host)
    if parsed.scheme == "http":
        if not (loopback and settings.SALESFORCE_ALLOW_LOOPBACK_HTTP):
            raise InvalidSalesforceUrl("Salesforce URLs must start with https://.")
    elif parsed.scheme != "https":
        raise InvalidSalesforceUrl("Salesforce URLs must start with https://.")
    if not loopback and not host.endswith(tuple(settings.SALESFORCE_ALLOWED_HOST_SUFFIXES)):
        raise InvalidSalesforceUrl(
            f"{host} is not a Salesforce domain. Use your org's My Domain URL, which ends in .my.salesforce.com "
            "(find it in Setup › My Domain)."
        )
    if loopback and not settings.SALESFORCE_ALLOW_LOOPBACK_HTTP:
        raise InvalidSalesforceUrl("Local addresses are not allowed here.")
    netloc = host if parsed.port is None else f"{host}:{parsed.port}"
    return f"{parsed.scheme}://{netloc}"


def login_url_for(environment: str, my_domain_url: str = "") -> str:
    if environment == Environment.PRODUCTION:
        return settings.SALESFORCE_PRODUCTION_LOGIN_URL.rstrip("/")
    if environment == Environment.SANDBOX:
        return settings.SALESFORCE_SANDBOX_LOGIN_URL.rstrip("/")
    return normalize_base_url(my_domain_url)
