"""OAuth failures become guidance a Salesforce admin can act on; typed URLs are checked before we use them."""

import pytest

from integrations.errors import FailWithReason, ReconnectRequired
from integrations.providers.salesforce.errors import oauth_error
from integrations.providers.salesforce.hosts import InvalidSalesforceUrl, login_url_for, normalize_base_url


@pytest.mark.parametrize(
    ("code", "description", "kind", "words"),
    [
        ("OAUTH_APPROVAL_ERROR_GENERIC", "An unexpected error occurred", FailWithReason, "Connected Apps OAuth Usage"),
        ("invalid_client", "app must be installed into org", FailWithReason, "install the External Client App"),
        ("access_denied", "end-user denied authorization", FailWithReason, "declined to allow access"),
        ("redirect_uri_mismatch", "redirect_uri must match configuration", FailWithReason, "callback URL"),
        ("invalid_grant", "ip restricted", ReconnectRequired, "trusted IP ranges"),
        ("invalid_grant", "expired access/refresh token", ReconnectRequired, "Reconnect"),
        ("invalid_client", "invalid client credentials", FailWithReason, "consumer secret"),
        ("inactive_user", "user is inactive", FailWithReason, "deactivated"),
        ("something_new", "odd", FailWithReason, "Salesforce refused the login: odd"),
    ],
)
def test_oauth_errors_are_translated(code, description, kind, words):
    error = oauth_error(code, description)
    assert type(error) is kind
    assert words in error.message
    assert error.code == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("acme.my.salesforce.com", "https://acme.my.salesforce.com"),
        ("https://Acme.my.salesforce.com/lightning/page/home", "https://acme.my.salesforce.com"),
        ("https://acme--uat.sandbox.my.salesforce.com/", "https://acme--uat.sandbox.my.salesforce.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ],
)
def test_my_domain_urls_are_normalised(typed, expected):
    assert normalize_base_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("https://evil.example.com", "not a Salesforce domain"),
        ("http://acme.my.salesforce.com", "https://"),
        ("ftp://acme.my.salesforce.com", "https://"),
        ("https://salesforce.com.evil.example", "not a Salesforce domain"),
        ("", "full URL"),
    ],
)
def test_other_urls_are_refused(typed, words):
    with pytest.raises(InvalidSalesforceUrl, match=words):
        normalize_base_url(typed)


def test_loopback_http_can_be_switched_off(settings):
    settings.SALESFORCE_ALLOW_LOOPBACK_HTTP = False
    with pytest.raises(InvalidSalesforceUrl):
        normalize_base_url("http://127.0.0.1:8765")


def test_login_urls_per_environment(settings):
    settings.SALESFORCE_SANDBOX_LOGIN_URL = "https://test.salesforce.com/"
    assert login_url_for("production") == "https://login.salesforce.com"
    assert login_url_for("sandbox") == "https://test.salesforce.com"
    assert login_url_for("my_domain", "acme.my.salesforce.com") == "https://acme.my.salesforce.com"
