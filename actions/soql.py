"""SOQL for query_records, built only from names the describe lists and from values we quote ourselves.

No part of the caller's input is pasted into the query: object, field and sort names are looked up in the
describe and the describe's own spelling is used; every value is converted for its field's type and quoted with
SOQL's escapes (`\\\\`, `\\'`, `\\"`, `\\n`, ...). A page cursor is Salesforce's own query locator, checked against
its shape before use.
"""

from __future__ import annotations

import re

from actions.checks import Problems, Refusal, id_normalise, temporal_literal
from mappings.compat import field_lookup, fields_by_name

OPERATORS = {
    "=": "=",
    "!=": "!=",
    "<": "<",
    ">": ">",
    "<=": "<=",
    ">=": ">=",
    "in": "IN",
    "not_in": "NOT IN",
    "like": "LIKE",
}
ORDERED = frozenset({"<", ">", "<=", ">="})
TEXT = frozenset(
    {"string", "textarea", "combobox", "email", "phone", "url", "picklist", "multipicklist", "encryptedstring"}
)
NUMBERS = frozenset({"int", "double", "currency", "percent"})
CURSOR_RE = re.compile(r"^[A-Za-z0-9]{15,18}-\d{1,9}$")
MAX_IN = 200
_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def quote(text: str) -> str:
    return "'" + "".join(_ESCAPES.get(c, c) for c in text) + "'"


def literal(f: dict, value, problems: Problems, *, where: str):
    """The SOQL literal of `value` for field `f`, or None (and a problem)."""
    kind, name = f.get("type"), f["name"]
    if kind in TEXT:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            problems.add(where, "invalid_type", f"{name} is a text field; compare it with a string.")
            return None
        text = str(value)
        if "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text) or len(text) > 4000:
            problems.add(where, "invalid_value", f"A value for {name} is at most 4,000 characters, without NUL.")
            return None
        return quote(text)
    if kind in ("id", "reference"):
        try:
            return quote(id_normalise(value, name=where))
        except Refusal as exc:
            problems.add(where, exc.code, exc.message)
            return None
    if kind == "boolean":
        if not isinstance(value, bool):
            problems.add(where, "invalid_type", f"{name} is a checkbox; compare it with true or false.")
            return None
        return "true" if value else "false"
    if kind in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) > 1e18:
            problems.add(where, "invalid_type", f"{name} is a number; compare it with a number.")
            return None
        return repr(int(value)) if kind == "int" or float(value).is_integer() else repr(float(value))
    if kind == "date":
        return temporal_literal(kind, value, problems, where, f"{name} is a date: compare it with YYYY-MM-DD.")
    if kind == "datetime":
        return temporal_literal(
            kind,
            value,
            problems,
            where,
            f"{name} is a date and time: compare it with ISO 8601 and an offset, e.g. 2026-05-01T00:00:00Z.",
        )
    problems.add(where, "unsupported_type", f"{name} ({kind}) cannot be filtered on.")
    return None


def _field(by_name: dict, name, problems: Problems, where: str, sobject: str, *, flag: str = "") -> dict | None:
    f = field_lookup(by_name, name) if isinstance(name, str) else None
    if f is None:
        problems.add(where, "unknown_field", f"{sobject} has no field {name} that this user can see.")
        return None
    if flag and f.get(flag) is False:
        problems.add(where, f"not_{flag}", f"Salesforce does not allow {f['name']} here ({flag} is false).")
        return None
    return f


def build(*, describe: dict, sobject: str, fields: list[str], filters: list, order_by: list, limit: int) -> str:
    """The SOQL statement, or a Refusal listing every problem."""
    problems = Problems()
    by_name = fields_by_name(describe)
    selected: list[str] = []
    for n, name in enumerate(fields or ["Id"]):
        f = _field(by_name, name, problems, f"fields[{n}]", sobject)
        if f is not None and f["name"] not in selected:
            if f.get("type") in ("address", "location"):
                problems.add(f"fields[{n}]", "unsupported_type", f"{f['name']} is a compound field; select its parts.")
                continue
            selected.append(f["name"])
    clauses: list[str] = []
    for n, flt in enumerate(filters):
        where = f"filters[{n}]"
        f = _field(by_name, flt.field, problems, f"{where}.field", sobject, flag="filterable")
        if f is None:
            continue
        column, op, value = f["name"], flt.op, flt.value
        if op == "is_null":
            if not isinstance(value, bool):
                problems.add(f"{where}.value", "invalid_type", "is_null takes true (is empty) or false (has a value).")
                continue
            clauses.append(f"{column} {'=' if value else '!='} null")
            continue
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value or len(value) > MAX_IN:
                problems.add(f"{where}.value", "invalid_list", f"{op} takes a list of 1 to {MAX_IN} values.")
                continue
            parts = [literal(f, v, problems, where=f"{where}.value[{i}]") for i, v in enumerate(value)]
            if None not in parts:
                clauses.append(f"{column} {OPERATORS[op]} ({', '.join(parts)})")
            continue
        if isinstance(value, list) or value is None:
            problems.add(f"{where}.value", "invalid_type", f"{op} compares with one value (use is_null for empty).")
            continue
        if op == "like" and f.get("type") not in TEXT:
            problems.add(f"{where}.op", "invalid_operator", f"like works on text fields; {column} is {f.get('type')}.")
            continue
        if op in ORDERED and f.get("type") in ("boolean", "id", "reference", "multipicklist"):
            problems.add(f"{where}.op", "invalid_operator", f"{op} does not compare {f.get('type')} fields.")
            continue
        if op == "like":
            # % and _ stay wildcards; everything else is literal, quotes and backslashes included.
            text = literal(f, value, problems, where=f"{where}.value")
        else:
            text = literal(f, value, problems, where=f"{where}.value")
        if text is not None:
            clauses.append(f"{column} {OPERATORS[op]} {text}")
    orders: list[str] = []
    for n, order in enumerate(order_by):
        f = _field(by_name, order.field, problems, f"order_by[{n}].field", sobject, flag="sortable")
        if f is not None:
            orders.append(f"{f['name']} {'DESC' if order.direction == 'desc' else 'ASC'}")
    problems.raise_if_any(sobject)
    soql = f"SELECT {', '.join(selected)} FROM {describe['name']}"  # noqa: S608  (describe's names only)
    if clauses:
        soql += " WHERE " + " AND ".join(clauses)
    if orders:
        soql += " ORDER BY " + ", ".join(orders)
    return soql + f" LIMIT {int(limit)}"


def cursor_check(cursor: str) -> str:
    if not CURSOR_RE.match(cursor or ""):
        raise Refusal(
            400, "invalid_cursor", "cursor is not one this API gave out (use next_cursor of a page).", fields=["cursor"]
        )
    return cursor
