"""Settings shared by every environment. Environment-specific modules import this."""

import base64
import hashlib

from config.env import BASE_DIR, env

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_q",
    "ninja",  # its templates and static Swagger UI: the API reference page loads nothing from a CDN
    "core",
    "users",
    "workspaces",
    "integrations",
    "mappings",
    "activities",
    "actions",
    "sync",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "workspaces.middleware.WorkspaceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspaces.context_processors.workspace",
                "integrations.context_processors.reconnect_notice",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)  # local state (SQLite file, sandbox state) lives here, git-ignored
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and sandbox seed share one file. A deferred transaction that reads and then writes cannot wait
    # for the lock (SQLite refuses at once to avoid a deadlock), so transactions take the write lock when they
    # begin (IMMEDIATE) and then wait up to the timeout; WAL lets readers go on while one writer writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "workspaces.backends.WorkspacePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email + password only.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Switchboard <no-reply@switchboard.local>")


def _derived_dev_key(secret: str) -> str:
    # Development only: a stable Fernet key derived from SECRET_KEY, so `make run` works with no setup.
    return base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{secret}".encode()).digest()).decode()


# First key encrypts; every key decrypts, so keys can be rotated by prepending a new one.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# Debug 500 pages and error mails blank the caller's Authorization header, cookies and API key.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.reporting.CredentialHidingReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "core.reporting.CredentialHidingExceptionReporter"

REDIS_URL = env("REDIS_URL", default="")

# Shared by every process (the sign-in lockout counts here): Redis when configured, else a table made by `migrate`.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "switchboard_cache"}
}

Q_CLUSTER = {
    "name": "switchboard",
    "workers": env.int("Q_WORKERS", default=2),
    # django-q2 redelivers unacknowledged work after `retry` seconds; `timeout` must stay below it.
    # Our own ledger decides what is retried, so a failed task is never redelivered by the broker.
    "timeout": 240,
    "retry": 300,
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "label": "Background tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Workers beat whenever they start a task, and a schedule makes them beat about every 30 s (core/schedules.py).
# /healthz answers 503 once the last beat is older than this (a fresh install gets this long before its first one).
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=90)
# `manage.py supervise_worker` SIGKILLs and restarts its cluster after this long without a beat (or as soon as the
# cluster exits), and looks every WORKER_SUPERVISOR_CHECK_SECONDS. A task running longer than this on every worker
# at once looks the same as a stalled queue.
WORKER_SUPERVISOR_RESTART_SECONDS = env.int("WORKER_SUPERVISOR_RESTART_SECONDS", default=150)
WORKER_SUPERVISOR_CHECK_SECONDS = env.float("WORKER_SUPERVISOR_CHECK_SECONDS", default=5.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SANDBOX_URL = env("SANDBOX_URL", default="")

# Providers the registry loads, by dotted path (see integrations/registry.py).
CRM_PROVIDERS = ("integrations.providers.salesforce.provider.SalesforceProvider",)

from config.settings.crm.salesforce import *  # noqa: E402, F403


def _oauth_form_targets(host_suffixes, allow_loopback):
    """Where a form on our pages may end up: the connect and reconnect forms POST to us and we answer with a 302
    to the provider's authorize page, which Chromium checks against form-action too. The My Domain URL is typed
    by the admin, so the allowed Salesforce host suffixes are listed, not one host; loopback (any port) only
    while the local sandbox is allowed."""
    targets = [f"https://*{suffix}" if suffix.startswith(".") else f"https://{suffix}" for suffix in host_suffixes]
    if allow_loopback:
        targets += ["http://localhost:*", "http://127.0.0.1:*"]
    return targets


# Content-Security-Policy (django-csp). Our pages load only their own static files: no inline scripts, handlers or
# style attributes (templates use data attributes read by static/js/page_actions.js) and no CDN. Django's debug
# 404/500 pages are exempt while DEBUG is on. A settings module that changes the Salesforce host settings must
# rebuild "form-action" with _oauth_form_targets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": [
            "'self'",
            *_oauth_form_targets(SALESFORCE_ALLOWED_HOST_SUFFIXES, SALESFORCE_ALLOW_LOOPBACK_HTTP),  # noqa: F405
        ],
    }
}
