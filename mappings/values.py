"""Turning our values into what a Salesforce field accepts: typed constants from a form, coerced payload values."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mappings.compat import STRING_LIKE, is_restricted_picklist, picklist_values

TRUE_WORDS = frozenset({"true", "yes", "1", "on", "checked"})
FALSE_WORDS = frozenset({"false", "no", "0", "off", "unchecked", ""})
NUMBER_TYPES = frozenset({"double", "currency", "percent"})


class InvalidValue(ValueError):
    """A value the field cannot take; the message is shown beside the form field."""


def _max_length(field: dict) -> int | None:
    length = field.get("length") or 0
    return length if field.get("type") in STRING_LIKE and length > 0 else None


def _check_picklist(field: dict, text: str) -> None:
    if not is_restricted_picklist(field):
        return
    allowed = picklist_values(field)
    chosen = text.split(";") if field.get("type") == "multipicklist" else [text]
    for value in chosen:
        if value not in allowed:
            raise InvalidValue(
                f"“{value}” is not an active value of this restricted picklist. Choose one of: {', '.join(allowed)}."
            )


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue("Enter true or false for a checkbox field.")


def _to_int(field: dict, value: Any) -> int:
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, int | float) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidValue("Enter a whole number.") from exc
    if not number.is_finite():
        raise InvalidValue("Enter a whole number.")
    result = int(number.to_integral_value())
    digits = field.get("digits") or 0
    if digits and len(str(abs(result))) > digits:
        raise InvalidValue(f"This field holds at most {digits} digits.")
    return result


def _to_number(field: dict, value: Any) -> float:
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError as exc:
        raise InvalidValue("Enter a number.") from exc
    if not math.isfinite(number):
        raise InvalidValue("Enter a number.")
    scale = field.get("scale")
    return round(number, scale) if isinstance(scale, int) and scale >= 0 else number


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise InvalidValue("Enter a date and time like 2025-03-31T14:30:00Z.") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidValue("Enter a date like 2025-03-31.") from exc


def format_datetime(value: datetime) -> str:
    """Salesforce's REST datetime form, always in UTC with milliseconds."""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def value_coerce(field: dict, value: Any, *, truncate: bool = True) -> Any:
    """`value` as JSON the field accepts. Strings longer than the field are cut (or refused without `truncate`)."""
    ftype = field.get("type")
    if ftype == "boolean":
        return _to_bool(value)
    if ftype == "int":
        return _to_int(field, value)
    if ftype in NUMBER_TYPES:
        return _to_number(field, value)
    if ftype == "date":
        return _to_date(value).isoformat()
    if ftype == "datetime":
        return format_datetime(_to_datetime(value))
    if isinstance(value, datetime):
        text = format_datetime(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    limit = _max_length(field)
    if limit is not None and len(text) > limit:
        if not truncate:
            raise InvalidValue(f"At most {limit} characters for this field ({len(text)} given).")
        text = text[:limit]
    _check_picklist(field, text)
    return text


def constant_clean(field: dict, raw: str) -> str:
    """Validate a constant typed into a form; returns the text to store (the payload builder coerces it)."""
    text = raw.strip() if field.get("type") not in ("textarea",) else raw
    if text == "":
        raise InvalidValue("Enter a value.")
    value_coerce(field, text, truncate=False)
    return text
