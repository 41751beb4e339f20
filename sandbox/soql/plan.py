"""The compiled query the emulator executes: filter, order, window, and shape rows.

The emulator owns storage, parent fetching, paging and HTTP; a Plan only needs `(row, parents)`
pairs, where `parents` maps a relationship name from `parent_lookups` to the parent row or None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import MalformedQuery
from .nodes import Query
from .predicates import Getter, Predicate, Row, SemiJoinSpec
from .resolve import ResolvedField
from .values import NORMALIZERS, category, norm_text

Pair = tuple[Row, Row]  # (row, parents)
CsvGetter = Callable[[Row, Row], str]

if TYPE_CHECKING:
    from .aggregates import Grouping

# Bulk CSV renders datetimes with "Z" where the REST JSON has "+0000" (same instant, same width
# minus four). Kept as one switch in case an integration proves otherwise.
CSV_DATETIME_Z = True


@dataclass(frozen=True, slots=True)
class OrderSpec:
    get: Getter  # normalised sort value, None for null
    descending: bool
    nulls_first: bool


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """A parent-to-child subquery: relationship name (the record key), the child's foreign key to the
    parent, and the child query's own Plan (WHERE, ORDER BY and LIMIT apply per parent)."""

    name: str
    fk: str
    plan: Plan


def sort_getter(field_: ResolvedField) -> Getter:
    """Like the filter getter, except that values which only support equality sort as text."""
    cat = category(field_.info.type)
    norm = NORMALIZERS[cat] if cat not in ("multipicklist", "other") else norm_text
    name, rel = field_.info.name, field_.relationship
    if rel is None:
        return lambda row, parents: norm(row.get(name))
    return lambda row, parents: None if (p := parents.get(rel)) is None else norm(p.get(name))


def _csv_text(v: object) -> str:
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


def csv_getter(field_: ResolvedField) -> CsvGetter:
    name, rel = field_.info.name, field_.relationship
    as_z = CSV_DATETIME_Z and category(field_.info.type) == "datetime"

    def fmt(v: object) -> str:
        if type(v) is str:
            return v[:-5] + "Z" if as_z and v.endswith("+0000") else v
        return _csv_text(v)

    if rel is None:
        if not as_z:
            # Hot path for plain text columns: one dict lookup and a type check.
            def plain(row: Row, parents: Row) -> str:
                v = row.get(name)
                return v if type(v) is str else _csv_text(v)

            return plain
        return lambda row, parents: fmt(row.get(name))
    return lambda row, parents: "" if (p := parents.get(rel)) is None else fmt(p.get(name))


class _Descending:
    """Inverts ordering so a single tuple key can mix ASC and DESC (used by `sort_key`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


@dataclass
class Plan:
    """A compiled SOQL query. Build with `compile_query`; see the package docstring for the contract."""

    query: Query
    sobject: str
    is_count: bool  # SELECT COUNT(): answer totalSize only
    is_aggregate: bool  # GROUP BY or aggregate functions: answer `aggregate()` records
    limit: int | None
    offset: int
    columns: list[str]
    field_paths: list[tuple[str, ...]]
    parent_lookups: dict[str, tuple[str, str]]
    api_version: str
    # Every parent path ("Account", "Account.Owner"): (target sObject, foreign key, path holding the key).
    parent_paths: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    semi_joins: list[SemiJoinSpec] = field(default_factory=list)  # filled by execute.prepare
    children: list[ChildSpec] = field(default_factory=list)  # parent-to-child subqueries, SELECT order
    _predicate: Predicate | None = field(repr=False, default=None)
    _order: list[OrderSpec] = field(repr=False, default_factory=list)
    _fields: list[ResolvedField] = field(repr=False, default_factory=list)
    _grouping: Grouping | None = field(repr=False, default=None)
    _csv_getters: list[CsvGetter] = field(repr=False, default_factory=list)
    _items: list[ResolvedField | ChildSpec] | None = field(repr=False, default=None)  # SELECT order

    def __post_init__(self) -> None:
        self._url_base = f"/services/data/v{self.api_version}/sobjects/"
        self._csv_getters = [csv_getter(f) for f in self._fields]
        items = self._fields if self._items is None else self._items
        self._projection = [
            (item.name, None, None) if isinstance(item, ChildSpec) else self._projection_steps(item) for item in items
        ]
        if self._predicate is not None:
            self.matches = self._predicate  # type: ignore[method-assign]  # skip a call layer per row

    @property
    def selected_fields(self) -> list[ResolvedField]:
        return list(self._fields)

    @property
    def selected_items(self) -> list[ResolvedField | ChildSpec]:
        """Fields and child subqueries in SELECT order (empty for COUNT() and aggregate queries)."""
        return list(self._fields if self._items is None else self._items)

    @property
    def grouping(self) -> Grouping | None:
        return self._grouping

    # --- filtering and ordering -----------------------------------------------------------------

    def matches(self, row: Row, parents: Row) -> bool:
        """True if the row passes WHERE (always, without one). Replaced per instance by the compiled
        closure itself when there is a WHERE, so this wrapper costs nothing in scans."""
        return True

    def sort(self, rows_with_parents: Sequence[Pair]) -> list[Pair]:
        """Apply ORDER BY: stable, case-insensitive text, Salesforce null placement. One stable pass
        per key, last key first, so DESC needs no key inversion."""
        items = list(rows_with_parents)
        for spec in reversed(self._order):
            get = spec.get
            # Nulls sort as (0,) or (2,) around (1, value); `reverse` flips it back for DESC.
            null_key = (0,) if spec.nulls_first != spec.descending else (2,)

            def key(pair: Pair, get: Getter = get, null_key: tuple[int] = null_key) -> tuple:
                v = get(pair[0], pair[1])
                return null_key if v is None else (1, v)

            items.sort(key=key, reverse=spec.descending)
        return items

    def sort_key(self, row: Row, parents: Row) -> tuple:
        """One comparable key for `sorted(..., key=...)` when the caller prefers that to `sort`.
        Slower than `sort` for DESC keys (Python-level comparisons)."""
        parts: list[Any] = []
        for spec in self._order:
            v = spec.get(row, parents)
            null_rank = 0 if spec.nulls_first != spec.descending else 2
            part: Any = (null_rank,) if v is None else (1, v)
            parts.append(_Descending(part) if spec.descending else part)
        return tuple(parts)

    def window(self, items: Sequence[Any]) -> list[Any]:
        """OFFSET then LIMIT, applied after filtering and sorting."""
        end = None if self.limit is None else self.offset + self.limit
        return list(items[self.offset : end])

    # --- output shapes --------------------------------------------------------------------------

    def _projection_steps(self, f: ResolvedField) -> tuple[str, str | None, tuple[tuple[str, str, str], ...]]:
        """(field, relationship path, ((key, path, sObject) per relationship hop)): the walk `project`
        makes through nested parent objects, worked out once per query. A child subquery is
        (relationship name, None, None)."""
        hops = []
        prefix = ""
        for rel in f.relationships:
            path = prefix + rel
            target = self.parent_paths.get(path, (f.sobject,))[0]
            hops.append((rel, path, target))
            prefix = path + "."
        return f.info.name, f.relationship, tuple(hops)

    def project(self, row: Row, parents: Row, children: Row | None = None) -> dict[str, Any]:
        """One record in REST query JSON shape: selected fields in SELECT order, parents nested one object
        per relationship (each with its own attributes), a missing parent as null. `children` maps a
        child relationship name to its query result, or None when the row has no such children
        (`execute.project` builds it)."""
        url = f"{self._url_base}{self.sobject}/{row.get('Id') or ''}"
        record: dict[str, Any] = {"attributes": {"type": self.sobject, "url": url}}
        for name, rel, hops in self._projection:
            if rel is None:
                if hops is None:
                    record[name] = children.get(name) if children else None
                else:
                    record[name] = row.get(name)
                continue
            container = record
            parent = None
            for key, path, target in hops:
                if key in container:
                    nested = container[key]
                    if nested is None:
                        break
                    parent = parents.get(path)
                else:
                    parent = parents.get(path)
                    if parent is None:
                        container[key] = None
                        break
                    nested = container[key] = {
                        "attributes": {"type": target, "url": f"{self._url_base}{target}/{parent.get('Id') or ''}"}
                    }
                container = nested
            else:
                container[name] = parent.get(name) if parent is not None else None
        return record

    def aggregate(self, rows_with_parents: Sequence[Pair]) -> list[dict[str, Any]]:
        """AggregateResult records (REST shape) for the rows that passed WHERE: grouped, HAVING applied,
        ordered, then OFFSET and LIMIT, which count groups."""
        grouping = self._grouping
        if grouping is None:
            raise MalformedQuery("aggregate() needs an aggregate query")
        rows = grouping.group_rows(rows_with_parents)
        if self._order:
            rows = [row for row, _ in self.sort([(row, {}) for row in rows])]
        return [grouping.record(row) for row in self.window(rows)]

    def csv_header(self) -> list[str]:
        return list(self.columns)

    def csv_values(self, row: Row, parents: Row) -> list[str]:
        """Bulk API 2.0 CSV cells: null -> "", booleans lower-case, parents flattened."""
        return [get(row, parents) for get in self._csv_getters]

    def validate_for_bulk(self) -> None:
        """Raise MalformedQuery for what Bulk API 2.0 query jobs reject (reference section 3)."""
        if self.is_count or self.is_aggregate:
            raise MalformedQuery("Aggregate queries (COUNT()) are not supported by Bulk API 2.0 query jobs")
        if self.query.offset is not None:
            raise MalformedQuery("OFFSET is not supported by Bulk API 2.0 query jobs")
        if self.children:
            raise MalformedQuery("Parent-to-child subqueries are not supported by Bulk API 2.0 query jobs")
