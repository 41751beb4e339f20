"""Salesforce record ids: 15-character (case-sensitive) and 18-character (case-safe) forms."""

from __future__ import annotations

import re

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")


def is_valid_id(value: str) -> bool:
    if not isinstance(value, str) or not _ID_RE.match(value):
        return False
    return len(value) == 15 or to18(value[:15]) == value


def to18(value: str) -> str:
    """The 18-character form; an 18-character id is returned unchanged."""
    if len(value) == 18:
        return value
    if len(value) != 15 or not value.isalnum():
        raise ValueError(f"Not a Salesforce id: {value!r}")
    suffix = ""
    for chunk in range(3):
        bits = sum(1 << i for i, char in enumerate(value[chunk * 5 : chunk * 5 + 5]) if "A" <= char <= "Z")
        suffix += _ALPHABET[bits]
    return value + suffix


def key_prefix(value: str) -> str:
    return value[:3]


def parse_identity_url(identity_url: str) -> tuple[str, str]:
    """(org id, user id) from an identity URL such as https://login.salesforce.com/id/00D.../005..."""
    parts = identity_url.rstrip("/").split("/")
    return to18(parts[-2]), to18(parts[-1])
