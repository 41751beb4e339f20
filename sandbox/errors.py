"""Errors the emulator answers with, in Salesforce's shapes."""

from __future__ import annotations


class ApiError(Exception):
    """A data-API failure: HTTP ``status`` with body ``[{"message", "errorCode", "fields"?}]``."""

    def __init__(self, status: int, error_code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict]:
        item: dict = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


class DmlError(Exception):
    """One or more record-level validation failures (``[{"statusCode"/"errorCode", "message", "fields"}]``)."""

    def __init__(self, error_code: str, message: str, fields: list[str] | None = None, status: int = 400) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.fields = fields or []
        self.status = status

    def rest_body(self) -> list[dict]:
        return [{"message": self.message, "errorCode": self.error_code, "fields": self.fields}]

    def collection_error(self) -> dict:
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields}


class OAuthError(Exception):
    """An OAuth endpoint failure: HTTP 400 (by default) with ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class ControlError(Exception):
    """A control-API failure: JSON ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


NOT_FOUND = "The requested resource does not exist"


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", NOT_FOUND)


def invalid_session() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
