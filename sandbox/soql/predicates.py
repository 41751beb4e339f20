"""WHERE -> nested closures, built once per query.

Every closure has the shape `(row, parents) -> bool`. Field values go through the category's
normaliser (values.py) and are compared with literals converted to the same form at compile time,
so the per-row work is a dict lookup, a cheap normalisation and one comparison.

Null semantics follow Salesforce rather than SQL: `Field != 'x'` and `Field NOT IN (...)` *do*
match rows where Field is null; ordering operators never match null.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from typing import Any

from .dates import datetime_bound, literal_range
from .errors import InvalidField, InvalidQueryFilterOperator, MalformedQuery, located
from .nodes import And, Comparison, Condition, Literal, Not, Or, Query, SemiJoin
from .resolve import ResolvedField, Resolver
from .values import NORMALIZERS, canonical_id, category, norm_multipicklist

Row = dict
Predicate = Callable[[Row, Row], bool]
Getter = Callable[[Row, Row], object]

_ORDERING = ("<", ">", "<=", ">=")
_ALLOWED_OPS: dict[str, frozenset[str]] = {
    "text": frozenset({"=", "!=", *_ORDERING, "LIKE", "IN", "NOT IN"}),
    "id": frozenset({"=", "!=", *_ORDERING, "IN", "NOT IN"}),
    "number": frozenset({"=", "!=", *_ORDERING, "IN", "NOT IN"}),
    "boolean": frozenset({"=", "!=", "IN", "NOT IN"}),
    "date": frozenset({"=", "!=", *_ORDERING, "IN", "NOT IN"}),
    "datetime": frozenset({"=", "!=", *_ORDERING, "IN", "NOT IN"}),
    "multipicklist": frozenset({"=", "!=", "INCLUDES", "EXCLUDES"}),
    "other": frozenset({"=", "!="}),
}
# Type names as Salesforce spells them in "must be of type X" messages.
_TYPE_WORDS = {
    "text": "string",
    "id": "id",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTime",
    "multipicklist": "string",
}
_QUOTED = frozenset({"text", "id", "multipicklist"})
_ORDER_FUNCS: dict[str, Callable[[object, object], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}

# A converted literal: ("point", value) | ("null", None) | ("range", (start, end)) | ("regex", pattern)
Operand = tuple[str, object]


MAX_SEMI_JOINS = 2  # per WHERE clause, Salesforce's limit


class SemiJoinSpec:
    """One compiled semi-join: the inner Plan, a getter for the field it selects, and the set of
    (normalised) ids that field takes, filled in by `execute.prepare` before the outer scan."""

    __slots__ = ("plan", "get", "values")

    def __init__(self, plan: Any, get: Getter) -> None:
        self.plan = plan
        self.get = get
        self.values: frozenset[object] | None = None


def make_getter(field: ResolvedField) -> Getter:
    """Fetch and normalise one field, from the row or from its parent row."""
    name = field.info.name
    norm = NORMALIZERS[category(field.info.type)]
    rel = field.relationship
    if rel is None:

        def get(row: Row, parents: Row) -> object:
            return norm(row.get(name))

        return get

    def get_parent(row: Row, parents: Row) -> object:
        parent = parents.get(rel)
        return None if parent is None else norm(parent.get(name))

    return get_parent


class WhereCompiler:
    def __init__(
        self,
        text: str,
        resolver: Resolver,
        today: dt.date,
        subquery: Callable[[Query], Any] | None = None,
    ) -> None:
        self.text = text
        self.resolver = resolver
        self.today = today
        self.subquery = subquery  # compiles the inner query of a semi-join into a Plan
        self.semi_joins: list[SemiJoinSpec] = []

    def build(self, cond: Condition) -> Predicate:
        if isinstance(cond, Comparison):
            return self.comparison(cond)
        if isinstance(cond, Not):
            inner = self.build(cond.operand)
            return lambda row, parents: not inner(row, parents)
        if isinstance(cond, (And, Or)):
            return _combine([self.build(c) for c in cond.operands], isinstance(cond, And))
        raise MalformedQuery(f"unsupported condition node {type(cond).__name__}")

    # --- one comparison -------------------------------------------------------------------------

    def comparison(self, cmp: Comparison) -> Predicate:
        field = self.resolver.resolve(cmp.field)
        if not field.info.filterable:
            raise InvalidField(
                located(self.text, cmp.field.pos, f"field '{field.info.name}' can not be filtered in a query call")
            )
        cat = category(field.info.type)
        if cmp.op not in _ALLOWED_OPS[cat]:
            raise MalformedQuery(
                located(self.text, cmp.pos, f"invalid operator on {field.info.type} field '{field.label}': {cmp.op}")
            )
        get = make_getter(field)
        if isinstance(cmp.value, SemiJoin):
            return self.semi_join(cmp, cmp.value, field, get)
        if isinstance(cmp.value, tuple):
            operands = [self.operand(lit, field, cat, cmp.op) for lit in cmp.value]
            return _list_predicate(cmp.op, get, operands)
        operand = self.operand(cmp.value, field, cat, cmp.op)
        if operand[0] == "null" and cmp.op not in ("=", "!="):
            raise MalformedQuery(located(self.text, cmp.value.pos, f"invalid operator for null value: {cmp.op}"))
        return _scalar_predicate(cmp.op, get, operand)

    def semi_join(self, cmp: Comparison, sub: SemiJoin, field: ResolvedField, get: Getter) -> Predicate:
        """`Id IN (SELECT AccountId FROM Contact ...)`: membership in the ids the inner query selects,
        which `execute.prepare` computes once per run."""
        text = self.text
        if cmp.op not in ("IN", "NOT IN"):
            raise MalformedQuery(located(text, sub.pos, f"{cmp.op} does not accept a sub-select"))
        if category(field.info.type) != "id":
            raise MalformedQuery(
                located(text, cmp.field.pos, f"Semi join sub-selects need an Id or reference field, not {field.label}")
            )
        if self.subquery is None:
            raise MalformedQuery(located(text, sub.pos, "Nesting of semi join sub-selects is not supported"))
        if len(self.semi_joins) >= MAX_SEMI_JOINS:
            raise MalformedQuery(located(text, sub.pos, f"Maximum of {MAX_SEMI_JOINS} semi join sub-selects allowed"))
        inner = self.subquery(sub.query)
        if inner.sobject == self.resolver.sobject:
            raise MalformedQuery(
                located(text, sub.query.sobject_pos, "A semi join sub-select can't query the object of the outer query")
            )
        selected = inner.selected_fields
        if inner.is_count or inner.is_aggregate or len(selected) != 1 or len(sub.query.select) != 1:
            raise MalformedQuery(located(text, sub.pos, "A semi join sub-select must select exactly one field"))
        if category(selected[0].info.type) != "id" or selected[0].relationship is not None:
            raise MalformedQuery(
                located(
                    text,
                    sub.query.select[0].pos,
                    f"A semi join sub-select must select an Id or reference field of {inner.sobject} itself, "
                    f"not {selected[0].label}",
                )
            )
        spec = SemiJoinSpec(inner, make_getter(selected[0]))
        self.semi_joins.append(spec)

        def member(row: Row, parents: Row) -> bool:
            values = spec.values
            if values is None:
                raise MalformedQuery(f"The semi join on {inner.sobject} needs rows: run the plan with soql.execute")
            return get(row, parents) in values

        if cmp.op == "IN":
            return member
        return lambda row, parents: not member(row, parents)

    def operand(self, lit: Literal, field: ResolvedField, cat: str, op: str) -> Operand:
        """Type-check `lit` against the field and convert it to the normalised form rows use."""
        kind, value = lit.kind, lit.value
        if kind == "null":
            if op in ("LIKE", "INCLUDES", "EXCLUDES"):
                raise MalformedQuery(located(self.text, lit.pos, f"{op} does not accept null"))
            return ("null", None)
        if op == "LIKE":
            if kind != "like":
                raise self.type_error(lit, field, cat)
            return ("regex", re.compile(str(value), re.IGNORECASE | re.DOTALL))
        if cat == "text" and kind == "string":
            return ("point", str(value).lower()) if value else ("null", None)
        if cat == "id" and kind == "string":
            if not value:
                return ("null", None)
            canonical = canonical_id(str(value))
            if canonical is None:
                raise InvalidQueryFilterOperator(located(self.text, lit.pos, f"invalid ID field: {value}"))
            return ("point", canonical)
        if cat == "multipicklist" and kind == "string":
            items = norm_multipicklist(value)
            return ("point", items) if items else ("null", None)
        if cat == "number" and kind == "number":
            return ("point", value)
        if cat == "boolean" and kind == "boolean":
            return ("point", value)
        if cat == "date" and kind == "date":
            return ("point", value)
        if cat == "datetime" and kind == "datetime":
            return ("point", value)
        if cat in ("date", "datetime") and kind == "date_literal":
            return ("range", self.date_range(lit, cat))
        raise self.type_error(lit, field, cat)

    def date_range(self, lit: Literal, cat: str) -> tuple[str, str]:
        name, n = lit.value  # type: ignore[misc]
        try:
            start, end = literal_range(name, n, self.today)
        except (ValueError, OverflowError):
            raise MalformedQuery(located(self.text, lit.pos, f"Date literal out of range: {name}:{n}")) from None
        if cat == "date":
            return start.isoformat(), end.isoformat()
        return datetime_bound(start), datetime_bound(end)

    def type_error(self, lit: Literal, field: ResolvedField, cat: str) -> MalformedQuery:
        if cat == "number":
            word = "integer" if field.info.type.lower() == "int" else "double"
        else:
            word = _TYPE_WORDS.get(cat, field.info.type)
        quotes = "should be enclosed in quotes" if cat in _QUOTED else "should not be enclosed in quotes"
        return MalformedQuery(
            located(
                self.text,
                lit.pos,
                f"value of filter criterion for field '{field.label}' must be of type {word} and {quotes}",
            )
        )


# --- closure builders ---------------------------------------------------------------------------


def _combine(preds: list[Predicate], conjunction: bool) -> Predicate:
    if len(preds) == 2:
        a, b = preds
        if conjunction:
            return lambda row, parents: a(row, parents) and b(row, parents)
        return lambda row, parents: a(row, parents) or b(row, parents)
    items = tuple(preds)
    if conjunction:
        return lambda row, parents: all(p(row, parents) for p in items)
    return lambda row, parents: any(p(row, parents) for p in items)


def _scalar_predicate(op: str, get: Getter, operand: Operand) -> Predicate:
    kind, x = operand
    if kind == "null":
        if op == "=":
            return lambda row, parents: get(row, parents) is None
        return lambda row, parents: get(row, parents) is not None
    if kind == "regex":
        match = x.fullmatch  # type: ignore[attr-defined]

        def like(row: Row, parents: Row) -> bool:
            v = get(row, parents)
            return v is not None and match(v) is not None

        return like
    if kind == "range":
        return _range_predicate(op, get, x)  # type: ignore[arg-type]
    return _point_predicate(op, get, x)


def _point_predicate(op: str, get: Getter, x: object) -> Predicate:
    # None never equals a literal, so "=" and "!=" need no null test (and "!=" keeps nulls).
    if op == "=":
        return lambda row, parents: get(row, parents) == x
    if op == "!=":
        return lambda row, parents: get(row, parents) != x
    # Normalisers give one Python type per category, so ordering never mixes types.
    compare = _ORDER_FUNCS[op]

    def ordered(row: Row, parents: Row) -> bool:
        v = get(row, parents)
        return v is not None and compare(v, x)

    return ordered


def _range_predicate(op: str, get: Getter, bounds: tuple[str, str]) -> Predicate:
    """Date literal semantics: `=` inside [start, end), `<` before start, `>` at or after end."""
    start, end = bounds

    def value(row: Row, parents: Row) -> str | None:
        v = get(row, parents)
        return v if type(v) is str else None

    if op == "=":

        def inside(row: Row, parents: Row) -> bool:
            v = value(row, parents)
            return v is not None and start <= v < end

        return inside
    if op == "!=":

        def outside(row: Row, parents: Row) -> bool:
            v = value(row, parents)
            return v is None or not (start <= v < end)

        return outside
    if op == "<":
        return lambda row, parents: (v := value(row, parents)) is not None and v < start
    if op == "<=":
        return lambda row, parents: (v := value(row, parents)) is not None and v < end
    if op == ">":
        return lambda row, parents: (v := value(row, parents)) is not None and v >= end
    return lambda row, parents: (v := value(row, parents)) is not None and v >= start


def _list_predicate(op: str, get: Getter, operands: list[Operand]) -> Predicate:
    if op in ("INCLUDES", "EXCLUDES"):
        # '' converts to null and can never be included; drop it rather than compare against None.
        wanted = tuple(x for kind, x in operands if kind == "point")

        def includes(row: Row, parents: Row) -> bool:
            v = get(row, parents)
            return v is not None and any(w <= v for w in wanted)  # type: ignore[operator]

        if op == "INCLUDES":
            return includes
        return lambda row, parents: not includes(row, parents)
    if any(kind == "range" for kind, _ in operands):
        # IN (TODAY, 2024-01-01): rare enough to evaluate as a chain of "=".
        member = _combine([_scalar_predicate("=", get, operand) for operand in operands] + [lambda r, p: False], False)
    else:
        values = frozenset(x for _, x in operands)  # None stands for a null in the list

        def member(row: Row, parents: Row) -> bool:
            return get(row, parents) in values

    if op == "IN":
        return member
    return lambda row, parents: not member(row, parents)
