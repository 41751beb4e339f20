"""OAuth 2.0 as Salesforce serves it: authorize (login + consent), token, revoke, userinfo, identity URL.

Token responses carry no ``expires_in``; access tokens die after the org's session timeout (then the data
API answers 401 INVALID_SESSION_ID). Errors are ``{"error", "error_description"}`` with HTTP 400.
"""

from sandbox.oauth.authorize import authorize
from sandbox.oauth.common import bearer, token_user, valid_token
from sandbox.oauth.identity import identity, revoke, userinfo
from sandbox.oauth.token import token, token_response

__all__ = [
    "authorize",
    "bearer",
    "identity",
    "revoke",
    "token",
    "token_response",
    "token_user",
    "userinfo",
    "valid_token",
]
