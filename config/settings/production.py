"""Production: every secret from the environment, HTTPS only, JSON log lines."""

from config.env import env

from .base import *  # noqa: F403
from .base import _oauth_form_targets

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
}

# The local sandbox is a development tool: in production no login, My Domain or instance URL may point at this
# machine, so Test Connection cannot be used to probe local ports.
SALESFORCE_ALLOW_LOOPBACK_HTTP = False
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [  # noqa: F405
    "'self'",
    *_oauth_form_targets(SALESFORCE_ALLOWED_HOST_SUFFIXES, SALESFORCE_ALLOW_LOOPBACK_HTTP),  # noqa: F405
]
# Outbound calls never reach this machine or a private network, whatever a host name resolves to.
HTTP_ALLOW_LOCAL_ADDRESSES = False
