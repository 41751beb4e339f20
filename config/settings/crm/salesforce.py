"""Salesforce integration settings (read from the environment)."""

from config.env import env

SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="62.0")
# External Client App credentials for the whole installation. A workspace admin may store its own instead.
SALESFORCE_CONSUMER_KEY = env("SALESFORCE_CONSUMER_KEY", default="")
SALESFORCE_CONSUMER_SECRET = env("SALESFORCE_CONSUMER_SECRET", default="")
SALESFORCE_SCOPES = env("SALESFORCE_SCOPES", default="api refresh_token id")
SALESFORCE_PRODUCTION_LOGIN_URL = env("SALESFORCE_PRODUCTION_LOGIN_URL", default="https://login.salesforce.com")
SALESFORCE_SANDBOX_LOGIN_URL = env("SALESFORCE_SANDBOX_LOGIN_URL", default="https://test.salesforce.com")
# Plain-HTTP login/instance URLs are accepted only for loopback hosts (the local sandbox emulator).
SALESFORCE_ALLOW_LOOPBACK_HTTP = env.bool("SALESFORCE_ALLOW_LOOPBACK_HTTP", default=True)
# Hosts a login / My Domain / instance URL may point at. Anything else is refused before we send it secrets.
SALESFORCE_ALLOWED_HOST_SUFFIXES = env.list(
    "SALESFORCE_ALLOWED_HOST_SUFFIXES",
    default=[".salesforce.com", ".force.com", ".cloudforce.com", ".salesforce.mil", ".sfcrmproducts.cn"],
)
# API-name prefix of the custom fields the setup checklist looks for (`sb_activeinsequence__c`, ...).
SALESFORCE_FIELD_PREFIX = env("SALESFORCE_FIELD_PREFIX", default="sb_")
# An authorisation started on the integrations page must come back within this many seconds.
SALESFORCE_OAUTH_STATE_TTL = env.int("SALESFORCE_OAUTH_STATE_TTL", default=600)
