"""`check --deploy` refuses missing or broken encryption keys; the debug 500 page hides the caller's credentials."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory, override_settings
from django.views.debug import get_exception_reporter_class


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key"]])
def test_check_deploy_fails_on_empty_or_invalid_encryption_keys(keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=keys), pytest.raises(SystemCheckError, match="core.E001"):
        call_command("check", "--deploy", "--tag", "security")


def test_check_deploy_accepts_a_real_key(settings):
    from core.checks import field_encryption_keys_check

    assert field_encryption_keys_check() == []


def test_debug_500_page_does_not_echo_the_api_key():
    token, key, cookie = ("".join(reversed(s)) for s in ("321-nekot", "654-yek", "eikooc"))
    request = RequestFactory().get(
        "/api/x", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_API_KEY=key, HTTP_COOKIE=f"s={cookie}"
    )
    try:
        raise ValueError("boom")
    except ValueError as exc:
        data = get_exception_reporter_class(request)(request, type(exc), exc, exc.__traceback__).get_traceback_data()
    meta = repr(data["request_meta"]) + repr(data["request_COOKIES_items"])  # this test's own frame shows the locals
    assert token not in meta
    assert key not in meta
    assert cookie not in meta
    assert data["request_meta"]["HTTP_AUTHORIZATION"] == "********************"  # listed, value blanked
