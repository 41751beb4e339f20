"""Normalisers: turn a stored row value into something comparable, per field category.

Each returns None for null *and* for values that cannot be interpreted, so a malformed stored
value behaves like null instead of crashing a query. Text normalises "" to None because
Salesforce never stores empty strings (it nulls them), whatever the emulator kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .dates import DATETIME_WIDTH, normalize_datetime_value
from .schema import (
    BOOLEAN_TYPES,
    DATE_TYPES,
    DATETIME_TYPES,
    ID_TYPES,
    MULTIPICKLIST_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
)

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

Normalizer = Callable[[object], object]


def category(field_type: str) -> str:
    """Collapse a describe type into how it compares: text, id, number, boolean, date, datetime,
    multipicklist, or other (time, base64, compound fields...: null checks only)."""
    t = field_type.lower()
    for name, types in (
        ("text", TEXT_TYPES),
        ("id", ID_TYPES),
        ("number", NUMBER_TYPES),
        ("boolean", BOOLEAN_TYPES),
        ("date", DATE_TYPES),
        ("datetime", DATETIME_TYPES),
        ("multipicklist", MULTIPICKLIST_TYPES),
    ):
        if t in types:
            return name
    return "other"


def canonical_id(value: str) -> str | None:
    """15- or 18-char id -> canonical 18-char id; None if it is not a well-formed id.

    An 18-char id may arrive with its case mangled (that is what the suffix is for), so the case of
    the first 15 chars is rebuilt from the suffix rather than trusted.
    """
    if not value.isascii() or not value.isalnum():
        return None
    if len(value) == 15:
        suffix = ""
        for k in range(3):
            chunk = value[k * 5 : k * 5 + 5]
            bits = sum(1 << i for i, c in enumerate(chunk) if "A" <= c <= "Z")
            suffix += _ID_ALPHABET[bits]
        return value + suffix
    if len(value) == 18:
        suffix = value[15:].upper()
        chars = []
        for k in range(3):
            bits = _ID_ALPHABET.find(suffix[k])
            if bits < 0:
                return None
            for i, c in enumerate(value[k * 5 : k * 5 + 5]):
                upper = bool(bits >> i & 1)
                if upper and not c.isalpha():
                    return None
                chars.append(c.upper() if upper else c.lower())
        return "".join(chars) + suffix
    return None


def norm_text(v: object) -> str | None:
    if type(v) is str:
        return v.lower() or None
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).lower() or None


def norm_id(v: object) -> str | None:
    if type(v) is str:
        if len(v) == 18:
            return v
        return canonical_id(v) if v else None
    return None


def norm_number(v: object) -> float | int | None:
    if type(v) is int or type(v) is float:
        return v
    if v is None or isinstance(v, bool):
        return None
    try:
        return float(v)  # type: ignore[arg-type]  # numeric strings, Decimal
    except (TypeError, ValueError):
        return None


def norm_boolean(v: object) -> bool | None:
    if type(v) is bool:
        return v
    if isinstance(v, str):
        low = v.strip().lower()
        return True if low == "true" else False if low == "false" else None
    return None


def norm_date(v: object) -> str | None:
    if type(v) is str:
        if len(v) == 10:
            return v
        return v[:10] if len(v) > 10 and v[10] == "T" else None
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return None


def norm_datetime(v: object) -> str | None:
    # Fast path: the emulator's own fixed-width UTC form compares as a plain string.
    if type(v) is str and len(v) == DATETIME_WIDTH and v.endswith("+0000"):
        return v
    if v is None:
        return None
    return normalize_datetime_value(v)


def norm_multipicklist(v: object) -> frozenset[str] | None:
    if isinstance(v, str):
        items = frozenset(part.strip().lower() for part in v.split(";") if part.strip())
        return items or None
    if isinstance(v, (list, tuple, set, frozenset)):
        return frozenset(str(part).strip().lower() for part in v) or None
    return None


def norm_other(v: object) -> object:
    return None if v is None or v == "" else v


NORMALIZERS: dict[str, Normalizer] = {
    "text": norm_text,
    "id": norm_id,
    "number": norm_number,
    "boolean": norm_boolean,
    "date": norm_date,
    "datetime": norm_datetime,
    "multipicklist": norm_multipicklist,
    "other": norm_other,
}
