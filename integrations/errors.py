"""Our own error types. No `requests` exception leaves an API client.

Three outcomes matter to callers:
- `ReconnectRequired`: a person must reconnect; pause work that needs the connection.
- `RetryLater`: transient; try again after backoff (`retry_after` seconds when the API said so).
- `FailWithReason`: the API refused for a reason a person can fix; do not retry blindly.
"""

from __future__ import annotations


class IntegrationError(Exception):
    """Base class. `message` is safe to show to a person; it never contains secrets."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None, fields: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = list(fields or [])

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields, "status": self.status}


class ReconnectRequired(IntegrationError):
    """Credentials are revoked, expired or refused: only a person reconnecting fixes it."""


class RetryLater(IntegrationError):
    """Transient: timeouts, dropped connections, 5xx, row locks, throttling."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ApiLimitReached(RetryLater):
    """The org's daily API allocation is used up (or our ceiling on it is reached): wait for budget."""


class FailWithReason(IntegrationError):
    """The API refused the request for a reason retrying will not fix (validation, access, missing record)."""


class NotConnected(IntegrationError):
    """There is no usable connection for what was asked."""
