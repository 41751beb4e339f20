"""Aggregate queries: GROUP BY, COUNT/COUNT_DISTINCT/SUM/AVG/MIN/MAX, HAVING, ORDER BY over groups.

Each group becomes a "group row": a dict from slot to value, one slot per grouped field (its stored
value in the group's first row) and one per distinct aggregate expression ("COUNT(Id)"). HAVING and
ORDER BY are compiled with the ordinary WHERE and ORDER BY machinery against those slots, so type
checks and null handling are the same as everywhere else. The record shows the selected slots under
their output names: the alias, the field name for a grouped field (`Account.Name` -> "Name"), or
expr0, expr1... for unaliased aggregates in SELECT order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidField, MalformedQuery, located
from .nodes import Aggregate, ChildQuery, FieldPath, Query
from .predicates import Getter, Predicate, Row, WhereCompiler, make_getter
from .resolve import ResolvedField, Resolver
from .schema import FieldInfo
from .values import category

GROUP_ROW_TYPE = "AggregateResult"
# Which field categories each function accepts.
_ACCEPTS = {
    "COUNT": frozenset({"text", "id", "number", "boolean", "date", "datetime", "other"}),
    "COUNT_DISTINCT": frozenset({"text", "id", "number", "boolean", "date", "datetime", "other"}),
    "SUM": frozenset({"number"}),
    "AVG": frozenset({"number"}),
    "MIN": frozenset({"text", "id", "number", "date", "datetime"}),
    "MAX": frozenset({"text", "id", "number", "date", "datetime"}),
}


@dataclass(frozen=True, slots=True)
class Measure:
    """One slot of a group row."""

    slot: str  # "COUNT(Id)", or the grouped field's label ("Account.Name")
    func: str | None  # None for a grouped field
    get: Getter | None  # normalised value (compares and groups); None for COUNT()
    raw: Getter | None  # stored value, answered by grouped fields and MIN/MAX
    result_type: str  # describe type of the result, for HAVING/ORDER BY type checks
    field: ResolvedField | None = None


@dataclass
class Grouping:
    keys: list[Getter]  # normalised GROUP BY values; [] without GROUP BY (one group of every row)
    measures: list[Measure]
    output: list[tuple[str, str]]  # (record key, slot), SELECT order
    having: Predicate | None = None
    order: list[Any] = field(default_factory=list)  # OrderSpec over group rows

    def group_rows(self, pairs: Sequence[tuple[Row, Row]]) -> list[dict[str, Any]]:
        groups: dict[tuple, list[tuple[Row, Row]]] = {}
        if not self.keys:
            groups[()] = list(pairs)  # no GROUP BY: one row even when nothing matched (COUNT = 0)
        else:
            keys = self.keys
            for pair in pairs:
                groups.setdefault(tuple(get(*pair) for get in keys), []).append(pair)
        rows = [{m.slot: _measure(m, members) for m in self.measures} for members in groups.values()]
        if self.having is not None:
            having = self.having
            rows = [r for r in rows if having(r, _NO_PARENTS)]
        return rows

    def record(self, group_row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": GROUP_ROW_TYPE}}
        for key, slot in self.output:
            out[key] = group_row.get(slot)
        return out


_NO_PARENTS: dict[str, Any] = {}


def _measure(m: Measure, members: list[tuple[Row, Row]]) -> object:
    func = m.func
    if func is None:
        return m.raw(*members[0]) if members and m.raw is not None else None
    if m.get is None:  # COUNT()
        return len(members)
    get = m.get
    if func == "COUNT":
        return sum(1 for pair in members if get(*pair) is not None)
    if func == "COUNT_DISTINCT":
        return len({v for pair in members if (v := get(*pair)) is not None})
    if func in ("SUM", "AVG"):
        values = [v for pair in members if (v := get(*pair)) is not None]
        if not values:
            return None
        total = sum(values)  # type: ignore[arg-type]
        return total / len(values) if func == "AVG" else total
    best: tuple[Any, tuple[Row, Row]] | None = None
    for pair in members:
        v = get(*pair)
        if v is None:
            continue
        if best is None or (v < best[0] if func == "MIN" else v > best[0]):  # type: ignore[operator]
            best = (v, pair)
    if best is None or m.raw is None:
        return None
    return m.raw(*best[1])


def is_aggregate_query(query: Query) -> bool:
    """GROUP BY, or an aggregate function other than a lone COUNT() (which answers totalSize only)."""
    if query.group_by:
        return True
    return any(isinstance(item, Aggregate) and item.field is not None for item in query.select)


class GroupingCompiler:
    def __init__(self, query: Query, resolver: Resolver, today: dt.date) -> None:
        self.query = query
        self.text = query.text
        self.resolver = resolver
        self.today = today
        self.measures: dict[str, Measure] = {}
        self.grouped: dict[str, Measure] = {}  # lower-case field label -> its slot
        self.sobject = GROUP_ROW_TYPE  # what WhereCompiler sees as the queried object in HAVING

    def compile(self) -> Grouping:
        query, text = self.query, self.text
        keys: list[Getter] = []
        for path in query.group_by:
            resolved = self.resolver.resolve(path)
            cat = category(resolved.info.type)
            if not resolved.info.sortable or cat == "multipicklist":
                raise InvalidField(
                    located(text, path.pos, f"field '{resolved.info.name}' can not be grouped in a query call")
                )
            key = resolved.label.lower()
            if key in self.grouped:
                raise MalformedQuery(located(text, path.pos, f"duplicate field in GROUP BY: {resolved.label}"))
            measure = Measure(resolved.label, None, None, _raw_getter(resolved), resolved.info.type, resolved)
            self.grouped[key] = self.measures[measure.slot] = measure
            keys.append(make_getter(resolved))

        output: list[tuple[str, str]] = []
        seen: set[str] = set()
        unaliased = 0
        for item in query.select:
            if isinstance(item, ChildQuery):
                raise MalformedQuery(located(text, item.pos, "Subqueries are not supported with aggregate queries"))
            if isinstance(item, Aggregate):
                if item.field is None:
                    raise MalformedQuery(
                        located(text, item.pos, "COUNT() can't be used with GROUP BY or other aggregates")
                    )
                slot = self.aggregate(item)
                if item.alias:
                    name = item.alias
                else:
                    name = f"expr{unaliased}"
                    unaliased += 1
            else:
                slot = self.grouped_slot(item, "Field must be grouped or aggregated")
                name = item.alias or self.measures[slot].field.info.name  # type: ignore[union-attr]
            if name.lower() in seen:
                raise MalformedQuery(located(text, item.pos, f"duplicate alias: {name}"))
            seen.add(name.lower())
            output.append((name, slot))

        having = None
        if query.having is not None:
            having = WhereCompiler(text, self, self.today).build(query.having)  # type: ignore[arg-type]
        return Grouping(keys, list(self.measures.values()), output, having)

    # --- slots ----------------------------------------------------------------------------------

    def aggregate(self, item: Aggregate) -> str:
        func = item.func
        if item.field is None:
            slot = "COUNT()"
            if slot not in self.measures:
                self.measures[slot] = Measure(slot, func, None, None, "int")
            return slot
        resolved = self.resolver.resolve(item.field)
        if category(resolved.info.type) not in _ACCEPTS[func]:
            raise InvalidField(
                located(
                    self.text, item.field.pos, f"field {resolved.info.name} does not support aggregate operator {func}"
                )
            )
        slot = f"{func}({resolved.label})"
        if slot not in self.measures:
            if func in ("COUNT", "COUNT_DISTINCT"):
                result_type = "int"
            elif func in ("SUM", "AVG"):
                result_type = "double"
            else:
                result_type = resolved.info.type
            raw = _raw_getter(resolved) if func in ("MIN", "MAX") else None
            self.measures[slot] = Measure(slot, func, make_getter(resolved), raw, result_type, resolved)
        return slot

    def grouped_slot(self, path: FieldPath, message: str) -> str:
        resolved = self.resolver.resolve(path)
        measure = self.grouped.get(resolved.label.lower())
        if measure is None:
            raise MalformedQuery(located(self.text, path.pos, f"{message}: {path.dotted}"))
        return measure.slot

    def slot_field(self, node: FieldPath | Aggregate, message: str) -> ResolvedField:
        """A group-row slot as a field of the pseudo object AggregateResult (for HAVING and ORDER BY)."""
        slot = self.aggregate(node) if isinstance(node, Aggregate) else self.grouped_slot(node, message)
        measure = self.measures[slot]
        sortable = measure.field.info.sortable if measure.func is None and measure.field else True
        return ResolvedField(None, GROUP_ROW_TYPE, FieldInfo(slot, measure.result_type, True, sortable))

    def resolve(self, node: FieldPath | Aggregate) -> ResolvedField:
        """WhereCompiler's resolver interface, for HAVING."""
        return self.slot_field(node, "Field must be grouped or aggregated")


def _raw_getter(resolved: ResolvedField) -> Getter:
    name, rel = resolved.info.name, resolved.relationship
    if rel is None:
        return lambda row, parents: row.get(name)
    return lambda row, parents: None if (p := parents.get(rel)) is None else p.get(name)
