"""Deploy checks: `manage.py check --deploy` fails on what would otherwise only fail at the first encrypted read."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from core.crypto import _fernet


@register(Tags.security, deploy=True)
def field_encryption_keys_check(app_configs=None, **kwargs):
    try:
        _fernet(tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()))
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="core.E001",
            )
        ]
    return []
