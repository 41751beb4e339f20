"""Errors raised by the SOQL engine, shaped like the REST API's `[{"errorCode", "message"}]` body.

The emulator turns any `SoqlError` into an HTTP 400 with `error_code` and `message`; nothing else
should escape `parse`/`compile_query` (the fuzz test holds us to that).
"""

from __future__ import annotations


class SoqlError(Exception):
    """Base class; `error_code` is the Salesforce errorCode, `message` the text it would send."""

    error_code: str = "MALFORMED_QUERY"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedQuery(SoqlError):
    """Syntax errors, type mismatches and everything this engine deliberately does not support."""

    error_code = "MALFORMED_QUERY"


class NumberOutsideValidRange(MalformedQuery):
    """Salesforce answers OFFSET > 2000 with its own code; a MalformedQuery subclass so callers that
    only know MalformedQuery still catch it."""

    error_code = "NUMBER_OUTSIDE_VALID_RANGE"


class InvalidField(SoqlError):
    """Unknown (or FLS-hidden) field, or unknown relationship in a dot path."""

    error_code = "INVALID_FIELD"


class InvalidType(SoqlError):
    """Unknown (or invisible) sObject in FROM."""

    error_code = "INVALID_TYPE"


class InvalidQueryFilterOperator(SoqlError):
    """A malformed Id in a filter (`Id = 'abc'`) is reported by Salesforce under this code."""

    error_code = "INVALID_QUERY_FILTER_OPERATOR"


def located(text: str, pos: int, detail: str) -> str:
    """Format `detail` the way Salesforce does: the offending line, a caret, then Row/Column.

    Salesforce prints a window of the statement; we print the whole line, which is close enough
    for a human and keeps the recognisable "ERROR at Row:r:Column:c" marker tools grep for.
    """
    pos = max(0, min(pos, len(text)))
    row = text.count("\n", 0, pos) + 1
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    col = pos - line_start + 1
    return f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{detail}"
