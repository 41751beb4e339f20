"""SOQL for inbound sync, built from whitelisted names and format_soql-quoted values only.

Field and object names cannot be parameters, so every name must match the API-name pattern *and* be present in the
object's describe; every value goes through `simple_salesforce.format_soql`, which quotes and escapes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from simple_salesforce import format_soql

from sync.types import FilterOperator

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SF_ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")

NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox", "encryptedstring"})
UNSYNCABLE_TYPES = frozenset({"address", "location", "base64", "complexvalue"})
"""Compound and binary fields: Bulk API 2.0 refuses them; their component fields are synced instead."""

_RANGE_OPS = {
    FilterOperator.GT: ">",
    FilterOperator.GTE: ">=",
    FilterOperator.LT: "<",
    FilterOperator.LTE: "<=",
    FilterOperator.EQUALS: "=",
    FilterOperator.NOT_EQUALS: "!=",
}


class SoqlBuildError(ValueError):
    """A name or value cannot be used in SOQL; the message is safe to show to an admin."""


def check_name(name: str, known: Iterable[str] | None = None) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise SoqlBuildError(f"“{name}” is not a Salesforce API name.")
    if known is not None and name not in known:
        raise SoqlBuildError(f"Salesforce has no readable field “{name}”.")
    return name


def coerce_value(field_type: str, raw):
    """A filter value as the Python type format_soql renders correctly for this describe type."""
    if raw is None:
        return None
    if field_type == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise SoqlBuildError(f"“{raw}” is not true or false.")
    if field_type in NUMBER_TYPES:
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise SoqlBuildError(f"“{raw}” is not a number.") from exc
        if not number.is_finite():
            raise SoqlBuildError(f"“{raw}” is not a number.")
        # Salesforce numbers hold at most 18 digits; past that float() gives inf (MALFORMED_QUERY at sync time).
        if number and number.adjusted() >= 18:
            raise SoqlBuildError(f"“{raw}” is too large: Salesforce numbers have at most 18 digits.")
        return int(number) if field_type == "int" else float(number)
    if field_type == "date":
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip()[:10])
        except ValueError as exc:
            raise SoqlBuildError(f"“{raw}” is not a date (YYYY-MM-DD).") from exc
    if field_type == "datetime":
        value = raw if isinstance(raw, dt.datetime) else _parse_datetime(str(raw))
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if field_type in ("reference", "id"):
        text = str(raw).strip()
        if not SF_ID_RE.match(text):
            raise SoqlBuildError(f"“{raw}” is not a Salesforce id.")
        return text
    return str(raw)


def _parse_datetime(text: str) -> dt.datetime:
    text = text.strip()
    if len(text) == 10:
        text += "T00:00:00"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SoqlBuildError(f"“{text}” is not a date and time.") from exc


def literal(value) -> str:
    """One value rendered by format_soql (datetimes in UTC, as SOQL wants them unquoted)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).replace(microsecond=0)
    return format_soql("{}", value)


def cursor_literal(value: dt.datetime) -> str:
    """A keyset cursor's SystemModstamp to the millisecond, as Salesforce stores it. Cut to the second like
    `literal`, `SystemModstamp > cursor` would match the rows of the page just read again, and a page whose rows
    share one second would be read forever."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def filter_clause(*, field_name: str, operator: str, values: list, fields: dict[str, dict]) -> str:
    """One WHERE condition. `fields` is the describe field map of the object (name -> describe field)."""
    check_name(field_name, fields)
    meta = fields[field_name]
    if not meta.get("filterable", True):
        raise SoqlBuildError(f"Salesforce cannot filter on “{field_name}”.")
    field_type = meta.get("type", "string")
    if operator == FilterOperator.IS_NULL:
        return format_soql("{:literal} = null", field_name)
    if operator == FilterOperator.IS_NOT_NULL:
        return format_soql("{:literal} != null", field_name)
    coerced = [coerce_value(field_type, v) for v in values]
    # A value the org's picklist does not offer matches nothing, silently: say so while the admin is still here.
    active = {p["value"] for p in meta.get("picklistValues") or [] if p.get("active", True)}
    if (
        field_type in ("picklist", "multipicklist")
        and active
        and operator
        not in (
            FilterOperator.CONTAINS,
            FilterOperator.STARTS_WITH,
        )
    ):
        unknown = [str(v) for v in coerced if str(v) not in active]
        if unknown:
            raise SoqlBuildError(f"“{', '.join(unknown)}” is not a value of “{field_name}” in this org.")
    if operator in (FilterOperator.IN, FilterOperator.NOT_IN):
        if not coerced:
            raise SoqlBuildError(f"Pick at least one value for “{field_name}”.")
        keyword = "IN" if operator == FilterOperator.IN else "NOT IN"
        return format_soql(f"{{:literal}} {keyword} {{}}", field_name, coerced)
    if len(coerced) != 1:
        raise SoqlBuildError(f"“{field_name}” needs exactly one value for this operator.")
    value = coerced[0]
    if operator in (FilterOperator.CONTAINS, FilterOperator.STARTS_WITH):
        if field_type not in TEXT_TYPES:
            raise SoqlBuildError(f"“{field_name}” is not a text field.")
        lead = "%" if operator == FilterOperator.CONTAINS else ""
        return format_soql(f"{{:literal}} LIKE '{lead}{{:like}}%'", field_name, str(value))
    if operator in _RANGE_OPS:
        return f"{field_name} {_RANGE_OPS[operator]} {literal(value)}"
    raise SoqlBuildError(f"Unknown operator “{operator}”.")


@dataclass
class ObjectQuery:
    """Everything needed to query one object: the SELECT list and the AND-ed scope conditions."""

    sobject: str
    fields: list[str]
    conditions: list[str] = field(default_factory=list)
    lookback: str = ""
    """The first-import lookback condition (kept apart: incremental windows do not apply it)."""

    def select(self) -> str:
        # Names only (each checked against describe); values never reach SOQL except through format_soql.
        return f"SELECT {', '.join(self.fields)} FROM {self.sobject}"  # noqa: S608

    def where(self, *extra: str, with_lookback: bool = True) -> str:
        parts = list(self.conditions) + [e for e in extra if e]
        if with_lookback and self.lookback:
            parts.append(self.lookback)
        return f" WHERE {' AND '.join(parts)}" if parts else ""

    def full(self) -> str:
        """Bulk full import: every record in scope, deleted ones included by queryAll."""
        return self.select() + self.where()

    def full_rest_page(self, after_modstamp: dt.datetime | None, after_id: str, limit: int) -> str:
        """REST full import, keyset-paged on (SystemModstamp, Id) so a resume needs no server cursor."""
        cursor = ""
        if after_modstamp is not None:
            stamp = cursor_literal(after_modstamp)
            cursor = format_soql(
                f"(SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > {{}}))", after_id or ""
            )
        return self.select() + self.where(cursor) + f" ORDER BY SystemModstamp, Id LIMIT {int(limit)}"

    def local_scope(self, imported_since: dt.datetime | None) -> str:
        """The scope of the local copy: the filters, and when a lookback was applied at import, (lookback OR changed
        since the import): what the first import kept plus what incremental windows added since."""
        if self.lookback and imported_since is not None:
            return f"({self.lookback} OR SystemModstamp >= {literal(imported_since)})"
        return self.lookback

    def backfill_page(
        self,
        fields: list[str],
        *,
        imported_since: dt.datetime | None,
        after: tuple[dt.datetime, str] | None,
        limit: int,
    ) -> str:
        """Field backfill: Id, SystemModstamp and `fields` of the records in the local copy's scope, keyset-paged on
        (SystemModstamp, Id) like the REST import. `fields` are names checked against describe by the caller."""
        cursor = ""
        if after is not None:
            stamp = cursor_literal(after[0])
            cursor = format_soql(f"(SystemModstamp > {stamp} OR (SystemModstamp = {stamp} AND Id > {{}}))", after[1])
        select = f"SELECT {', '.join(['Id', 'SystemModstamp', *fields])} FROM {self.sobject}"  # noqa: S608
        where = self.where(self.local_scope(imported_since), cursor, with_lookback=False)
        return select + where + f" ORDER BY SystemModstamp, Id LIMIT {int(limit)}"

    def backfill_count(self, *, imported_since: dt.datetime | None) -> str:
        return f"SELECT COUNT() FROM {self.sobject}" + self.where(  # noqa: S608
            self.local_scope(imported_since), with_lookback=False
        )

    def window(self, since: dt.datetime | None) -> str:
        """Incremental: everything changed since `since` (>=, so ties at the bound are re-read), oldest first."""
        bound = f"SystemModstamp >= {literal(since)}" if since else ""
        return self.select() + self.where(bound, with_lookback=False) + " ORDER BY SystemModstamp, Id"

    def count(self, *, lookback_or_since: dt.datetime | None = None) -> str:
        """`SELECT COUNT()` over the same scope as the local copy: the filters, and when a lookback was applied at
        import, (lookback OR changed since the import)."""
        extra = ""
        if self.lookback and lookback_or_since is not None:
            extra = f"({self.lookback} OR SystemModstamp >= {literal(lookback_or_since)})"
        elif self.lookback:
            extra = self.lookback
        return f"SELECT COUNT() FROM {self.sobject}" + self.where(extra, with_lookback=False)  # noqa: S608


def lookback_clause(*, field_name: str, since: dt.datetime, fields: dict[str, dict]) -> str:
    check_name(field_name, fields)
    return f"{field_name} >= {literal(since)}"
