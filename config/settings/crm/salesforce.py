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
