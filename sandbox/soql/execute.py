"""Running a Plan over a store of rows: nested parents, and everything that needs rows of other objects.

The engine still owns no storage. A `Store` hands it rows and parent records; the emulator decides
what "live" means (deleted rows for queryAll, record visibility) and owns paging and HTTP.

    store = MyStore(...)                         # implements Store
    pairs = select(plan, store)                  # WHERE, ORDER BY, OFFSET/LIMIT; (row, parents) pairs
    records = project(plan, pairs[:2000], store) # REST records of one page

`parents` is a `Parents`: it resolves a relationship path ("Account.Owner") on first use, one parent
fetch per hop, so rows that are never filtered, sorted or shown on a parent pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from .nodes import And, Comparison, FieldPath, Not, Or
from .plan import ChildSpec, Pair, Plan
from .predicates import Row

_EMPTY: dict[str, Any] = {}


class Store(Protocol):
    def rows(self, sobject: str) -> Iterable[Row]:
        """Every row of `sobject` the query may see (the emulator filters deleted rows)."""

    def fetch(self, record_id: str) -> Row | None:
        """The parent row with this id, or None if there is none (deleted, or not visible)."""


class Parents:
    """`parents` for one row: relationship path -> parent row or None, fetched on first `get`."""

    __slots__ = ("_row", "_paths", "_fetch", "_cache")

    def __init__(self, row: Row, paths: dict[str, tuple[str, str, str | None]], fetch: Any) -> None:
        self._row, self._paths, self._fetch = row, paths, fetch
        self._cache: dict[str, Any] = {}

    def get(self, path: str, default: Any = None) -> Any:
        cache = self._cache
        if path in cache:
            return cache[path]
        spec = self._paths.get(path)
        if spec is None:
            return default
        _target, fk, holder_path = spec
        holder = self._row if holder_path is None else self.get(holder_path)
        rid = holder.get(fk) if holder is not None else None
        value = self._fetch(rid) if rid else None
        cache[path] = value
        return value


def pairs_for(plan: Plan, rows: Iterable[Row], store: Store) -> list[Pair]:
    """(row, parents) for `rows`, with lazy parents only when the query names a relationship."""
    paths = plan.parent_paths
    if not paths:
        return [(row, _EMPTY) for row in rows]
    fetch = store.fetch
    return [(row, Parents(row, paths, fetch)) for row in rows]


def prepare(plan: Plan, store: Store) -> None:
    """Run the inner query of each semi-join once, so WHERE can test membership in its ids."""
    for spec in plan.semi_joins:
        if spec.values is None:
            found = (spec.get(row, parents) for row, parents in select(spec.plan, store))
            spec.values = frozenset(v for v in found if v is not None)


def select(plan: Plan, store: Store) -> list[Pair]:
    """Rows passing WHERE, ordered, then OFFSET and LIMIT (for aggregate queries, just the rows
    passing WHERE: `plan.aggregate` groups them).

    `parents` is None in the pairs when WHERE and ORDER BY need no parent: `project` attaches them
    to the rows of a page only, so a 100k-row scan does not build 100k of them."""
    prepare(plan, store)
    matches = plan.matches
    paths = plan.parent_paths
    rows = store.rows(plan.sobject)
    if not paths:
        pairs: list[Pair] = [(r, _EMPTY) for r in rows if matches(r, _EMPTY)]
    elif not plan.is_aggregate and not _filters_or_sorts_on_parents(plan):
        pairs = [(r, None) for r in rows if matches(r, _EMPTY)]  # type: ignore[misc]
    else:
        fetch = store.fetch
        pairs = []
        append = pairs.append
        for r in rows:
            parents = Parents(r, paths, fetch)
            if matches(r, parents):
                append((r, parents))
    if plan.is_aggregate:
        return pairs  # ORDER BY, OFFSET and LIMIT apply to the groups: see Plan.aggregate
    if plan.query.order_by:
        pairs = plan.sort(pairs)
    if plan.offset or plan.limit is not None:
        pairs = plan.window(pairs)
    return pairs


def _filters_or_sorts_on_parents(plan: Plan) -> bool:
    """True when WHERE or ORDER BY names a dotted path (a parent, or the object-name prefix)."""
    paths: list[Any] = [item.field for item in plan.query.order_by]
    stack: list[Any] = [plan.query.where] if plan.query.where is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            paths.append(node.field)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or):
            stack.extend(node.operands)
    return any(isinstance(p, FieldPath) and len(p.parts) > 1 for p in paths)


def attach(plan: Plan, pairs: Sequence[Pair], store: Store) -> list[Pair]:
    """Fill in the parents `select` deferred, for the rows actually shown (a page, a CSV chunk)."""
    paths, fetch = plan.parent_paths, store.fetch
    if not paths:
        return [(row, _EMPTY) for row, _parents in pairs]
    return [(row, parents if parents is not None else Parents(row, paths, fetch)) for row, parents in pairs]


def project(plan: Plan, pairs: Sequence[Pair], store: Store) -> list[dict[str, Any]]:
    """REST records for one page of `select`'s pairs, child subqueries included: each relationship is
    null when the row has no matching children, else {"totalSize", "done": true, "records"}."""
    pairs = attach(plan, pairs, store)
    if not plan.children:
        return [plan.project(row, parents) for row, parents in pairs]
    parent_ids = {row.get("Id") for row, _parents in pairs}
    parent_ids.discard(None)
    found: list[tuple[str, dict[Any, list[dict[str, Any]]]]] = []
    for spec in plan.children:
        groups = _child_groups(spec, parent_ids, store)
        # One projection per level for the whole page (grandchildren included), then split per parent.
        flat = project(spec.plan, [pair for group in groups.values() for pair in group], store)
        records = iter(flat)
        found.append((spec.name, {pid: [next(records) for _ in group] for pid, group in groups.items()}))
    out = []
    for row, parents in pairs:
        rid = row.get("Id")
        children: dict[str, Any] = {}
        for name, by_parent in found:
            records_of = by_parent.get(rid)
            children[name] = {"totalSize": len(records_of), "done": True, "records": records_of} if records_of else None
        out.append(plan.project(row, parents, children))
    return out


def _child_groups(spec: ChildSpec, parent_ids: set[Any], store: Store) -> dict[Any, list[Pair]]:
    """Matching child rows per parent id, each group ordered and windowed on its own."""
    child = spec.plan
    prepare(child, store)
    fk, matches, paths, fetch = spec.fk, child.matches, child.parent_paths, store.fetch
    groups: dict[Any, list[Pair]] = {}
    for row in store.rows(child.sobject):
        pid = row.get(fk)
        if pid not in parent_ids:
            continue
        parents = Parents(row, paths, fetch) if paths else _EMPTY
        if matches(row, parents):
            groups.setdefault(pid, []).append((row, parents))
    if child.query.order_by or child.offset or child.limit is not None:
        for pid, group in groups.items():
            groups[pid] = child.window(child.sort(group))
        groups = {pid: group for pid, group in groups.items() if group}
    return groups
