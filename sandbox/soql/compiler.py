"""Semantic pass: resolve names against the schema, type-check, and assemble a Plan."""

from __future__ import annotations

import datetime as dt

from .aggregates import GroupingCompiler, is_aggregate_query
from .errors import InvalidField, InvalidType, MalformedQuery, NumberOutsideValidRange, located
from .nodes import Aggregate, ChildQuery, FieldPath, OrderItem, Query
from .parser import parse
from .plan import ChildSpec, OrderSpec, Plan, sort_getter
from .predicates import WhereCompiler
from .resolve import ResolvedField, Resolver
from .schema import SchemaProvider

MAX_OFFSET = 2000  # Salesforce's cap; larger values fail with NUMBER_OUTSIDE_VALID_RANGE
MAX_CHILD_SUBQUERIES = 20  # per query
MAX_CHILD_LEVELS = 5  # parent-to-child nesting, the outer query included (REST, API v58+)


def compile_query(
    text_or_ast: str | Query,
    schema: SchemaProvider,
    *,
    now: dt.datetime | None = None,
    api_version: str = "62.0",
    _inner: bool = False,
    _child_sobject: str | None = None,
    _level: int = 1,
) -> Plan:
    """Parse (if given text), resolve and type-check a query; relative date literals use `now` (UTC).

    `_inner` marks the inner query of a semi-join; `_child_sobject` a parent-to-child subquery, whose
    FROM names a relationship rather than an object, at nesting `_level` (the outer query is 1)."""
    query = parse(text_or_ast) if isinstance(text_or_ast, str) else text_or_ast
    if not isinstance(query, Query):
        raise MalformedQuery("compile_query needs SOQL text or a parsed Query")
    text = query.text
    sobject = _child_sobject or schema.sobject(query.sobject)
    if sobject is None:
        raise InvalidType(
            located(
                text,
                query.sobject_pos,
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, "
                "be sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
                "call for the appropriate names.",
            )
        )
    resolver = Resolver(text, sobject, schema)
    now = now or dt.datetime.now(dt.UTC)
    today = (now.astimezone(dt.UTC) if now.tzinfo else now).date()

    if query.offset is not None and query.offset > MAX_OFFSET:
        raise NumberOutsideValidRange(located(text, query.offset_pos, f"Maximum SOQL offset allowed is {MAX_OFFSET}"))
    grouping = None
    if is_aggregate_query(query):
        groups = GroupingCompiler(query, resolver, today)
        grouping = groups.compile()
        fields: list[ResolvedField] = []
        is_count = False
        children: list[tuple[int, ChildSpec]] = []
        order = [_group_order_spec(groups, item) for item in query.order_by]
        grouping.order = order
    else:
        fields, is_count = _select(query, resolver)
        children = _children(query, schema, sobject, now, api_version, _level)
        if children and is_count:
            raise MalformedQuery(located(text, children[0][0], "Subqueries are not supported with COUNT()"))
        if is_count and query.order_by:
            raise MalformedQuery(
                located(text, query.order_by[0].pos, "ORDER BY is not supported with aggregate queries")
            )
        order = [_order_spec(text, resolver, item.field, item.descending, item.nulls_first) for item in query.order_by]

    where = WhereCompiler(text, resolver, today, None if _inner else _subquery_compiler(schema, now, api_version))
    predicate = where.build(query.where) if query.where else None

    if grouping is not None:
        columns = [name for name, _slot in grouping.output]
        paths: list[tuple[str, ...]] = [(name,) for name in columns]
    else:
        columns = [f.label for f in fields]
        paths = [f.path for f in fields]
    return Plan(
        query=query,
        sobject=sobject,
        is_count=is_count,
        is_aggregate=grouping is not None,
        limit=query.limit,
        offset=query.offset or 0,
        columns=columns,
        field_paths=paths,
        parent_lookups=dict(resolver.parent_lookups),
        api_version=api_version.lstrip("vV"),
        parent_paths=dict(resolver.parent_paths),
        _predicate=predicate,
        _order=order,
        _fields=fields,
        _grouping=grouping,
        semi_joins=where.semi_joins,
        children=[spec for _pos, spec in children],
        _items=None if grouping is not None else _in_select_order(query, fields, children),
    )


def _children(
    query: Query, schema: SchemaProvider, sobject: str, now: dt.datetime, api_version: str, level: int
) -> list[tuple[int, ChildSpec]]:
    """Compile each `(SELECT ... FROM Contacts)` against the child object it names."""
    text = query.text
    items = [item for item in query.select if isinstance(item, ChildQuery)]
    if not items:
        return []
    if len(items) > MAX_CHILD_SUBQUERIES:
        raise MalformedQuery(
            located(text, items[MAX_CHILD_SUBQUERIES].pos, f"Maximum of {MAX_CHILD_SUBQUERIES} subqueries allowed")
        )
    if level >= MAX_CHILD_LEVELS:
        raise MalformedQuery(
            located(text, items[0].pos, f"Parent-to-child subqueries can be nested at most {MAX_CHILD_LEVELS} levels")
        )
    lookup = getattr(schema, "child_relationship", None)
    compiled: list[tuple[int, ChildSpec]] = []
    seen: set[str] = set()
    for item in items:
        inner = item.query
        found = lookup(sobject, inner.sobject) if lookup is not None else None
        if found is None:
            raise InvalidType(
                located(
                    text,
                    inner.sobject_pos,
                    f"Didn't understand relationship '{inner.sobject}' in FROM part of query call. If you are "
                    "attempting to use a custom relationship, be sure to append the '__r' after the custom "
                    "relationship name. Please reference your WSDL or the describe call for the appropriate names.",
                )
            )
        child_sobject, fk, name = found
        if name.lower() in seen:
            raise MalformedQuery(located(text, item.pos, f"duplicate field selected: {name}"))
        seen.add(name.lower())
        plan = compile_query(
            inner, schema, now=now, api_version=api_version, _child_sobject=child_sobject, _level=level + 1
        )
        if plan.is_count or plan.is_aggregate:
            raise MalformedQuery(located(text, item.pos, "Aggregate functions are not supported in subqueries"))
        compiled.append((item.pos, ChildSpec(name, fk, plan)))
    return compiled


def _in_select_order(query: Query, fields: list[ResolvedField], children: list[tuple[int, ChildSpec]]) -> list:
    """Fields and child subqueries interleaved as SELECT lists them, which is the record's key order."""
    by_pos = dict(children)
    out: list = []
    field_iter = iter(fields)
    for item in query.select:
        if isinstance(item, ChildQuery):
            out.append(by_pos[item.pos])
        elif isinstance(item, FieldPath):
            out.append(next(field_iter))
    return out


def _subquery_compiler(schema: SchemaProvider, now: dt.datetime, api_version: str):
    """Compiles the inner query of a semi-join; `_inner` stops a semi-join inside it."""
    return lambda inner: compile_query(inner, schema, now=now, api_version=api_version, _inner=True)


def _select(query: Query, resolver: Resolver) -> tuple[list[ResolvedField], bool]:
    """Resolve the SELECT list of a non-aggregate query: plain fields, or a lone COUNT()."""
    text = query.text
    items = tuple(item for item in query.select if not isinstance(item, ChildQuery))
    if any(isinstance(item, Aggregate) for item in items):
        if len(query.select) > 1:
            raise MalformedQuery(
                located(text, query.select[1].pos, "COUNT() must be the only element in the SELECT list")
            )
        return [], True

    fields: list[ResolvedField] = []
    seen: set[str] = set()
    for item in items:
        assert isinstance(item, FieldPath)
        resolved = resolver.resolve(item)
        key = resolved.label.lower()
        if key in seen:
            raise MalformedQuery(located(text, item.pos, f"duplicate field selected: {resolved.label}"))
        seen.add(key)
        fields.append(resolved)
    return fields, False


def _group_order_spec(groups: GroupingCompiler, item: OrderItem) -> OrderSpec:
    """ORDER BY in an aggregate query: a grouped field or an aggregate, read from the group row."""
    resolved = groups.slot_field(item.field, "Ordered field must be grouped or aggregated")
    if not resolved.info.sortable:
        raise InvalidField(
            located(groups.text, item.pos, f"field '{resolved.info.name}' can not be sorted in a query call")
        )
    nulls_first = not item.descending if item.nulls_first is None else item.nulls_first
    return OrderSpec(sort_getter(resolved), item.descending, nulls_first)


def _order_spec(
    text: str, resolver: Resolver, path: FieldPath | Aggregate, descending: bool, nulls_first: bool | None
) -> OrderSpec:
    if isinstance(path, Aggregate):
        raise MalformedQuery(located(text, path.pos, "Aggregate functions in ORDER BY need an aggregate query"))
    resolved = resolver.resolve(path)
    if not resolved.info.sortable:
        raise InvalidField(located(text, path.pos, f"field '{resolved.info.name}' can not be sorted in a query call"))
    if nulls_first is None:
        nulls_first = not descending  # Salesforce default: ASC NULLS FIRST, DESC NULLS LAST
    return OrderSpec(sort_getter(resolved), descending, nulls_first)
