"""SOQL against an org: the schema adapter for ``sandbox.soql``, evaluation and parent lookups (REST paging is in
``sandbox.rest.query``; Bulk uses evaluate and attach)."""

from __future__ import annotations

from typing import Any

from sandbox.errors import ApiError
from sandbox.soql import FieldInfo, Plan, SoqlError, compile_query
from sandbox.soql.nodes import And, Comparison, Not, Or
from sandbox.state import Org, User

MAX_BATCH = 2000
MIN_BATCH = 200
MAX_CURSORS = 500  # per org; the oldest is dropped first
_EMPTY: dict[str, Any] = {}


class OrgSchema:
    """``SchemaProvider`` for one user: hidden fields and unreadable objects do not exist."""

    def __init__(self, org: Org, user: User | None) -> None:
        self.org = org
        self.profile = org.profile_of(user) if user is not None else None

    def sobject(self, name: str) -> str | None:
        spec = self.org.spec(name)
        if spec is None:
            return None
        if self.profile is not None and "r" not in self.profile.object_perms(spec.name):
            return None
        return spec.name

    def field(self, sobject: str, name: str) -> FieldInfo | None:
        spec = self.org.spec(sobject)
        f = spec.get(name) if spec is not None else None
        if f is None:
            return None
        if self.profile is not None and self.profile.field_access(spec.name, f.name) == "hidden":
            return None
        long_text = f.type == "textarea" and f.length > 255
        return FieldInfo(f.name, f.type, filterable=not long_text, sortable=not long_text)

    def relationship(self, sobject: str, relationship_name: str) -> tuple[str, str] | None:
        spec = self.org.spec(sobject)
        if spec is None:
            return None
        wanted = relationship_name.lower()
        for f in spec.fields.values():
            if f.relationship_name and f.relationship_name.lower() == wanted and f.reference_to:
                if self.profile is not None and self.profile.field_access(spec.name, f.name) == "hidden":
                    return None
                target = next((t for t in f.reference_to if t in self.org.schema), None)
                if target is None:
                    return None
                return target, f.name
        return None


def soql_error(exc: SoqlError) -> ApiError:
    return ApiError(400, exc.error_code, exc.message)


def compile_for(org: Org, user: User | None, soql: str, *, now, version: str) -> Plan:
    if not isinstance(soql, str) or not soql.strip():
        raise ApiError(400, "MALFORMED_QUERY", "unexpected token: <EOF>")
    try:
        return compile_query(soql, OrgSchema(org, user), now=now, api_version=version)
    except SoqlError as exc:
        raise soql_error(exc) from None
    except RecursionError:
        raise ApiError(400, "MALFORMED_QUERY", "Query is too complex") from None


def _parent_row(org: Org, rid: Any) -> dict[str, Any] | None:
    if not rid:
        return None
    found = org.find_record(rid)
    if found is None or found[1].get("IsDeleted"):
        return None
    return found[1]


class LazyParents:
    """``parents`` for a row, resolved on first ``get``: only rows that are filtered on, sorted on or
    projected pay for the parent lookup."""

    __slots__ = ("_row", "_org", "_lookups", "_cache")

    def __init__(self, row: dict, org: Org, lookups: dict[str, tuple[str, str]]) -> None:
        self._row, self._org, self._lookups = row, org, lookups
        self._cache: dict[str, Any] = {}

    def get(self, rel: str, default: Any = None) -> Any:
        cache = self._cache
        if rel in cache:
            return cache[rel]
        lookup = self._lookups.get(rel)
        value = _parent_row(self._org, self._row.get(lookup[1])) if lookup else default
        cache[rel] = value
        return value


def _uses_relationship(plan: Plan) -> bool:
    """True when WHERE or ORDER BY names a dotted path, so parents are needed before projection."""
    paths = [item.field for item in plan.query.order_by]
    stack = [plan.query.where] if plan.query.where is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison):
            paths.append(node.field)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, And | Or):
            stack.extend(node.operands)
    return any(len(p.parts) > 1 for p in paths)


def evaluate(org: Org, plan: Plan, *, include_deleted: bool) -> list[tuple[dict, Any]]:
    """Matching (row, parents) pairs, sorted and windowed (caller holds org.lock).

    ``parents`` is None when it was not needed to filter or sort: ``attach`` resolves it for the rows
    actually projected (a page, a CSV chunk), so a 100k-row scan does not look up 100k parents.
    """
    rows = org.records[plan.sobject].values()
    if not include_deleted:
        rows = [r for r in rows if not r.get("IsDeleted")]
    lookups = plan.parent_lookups
    matches = plan.matches
    if not lookups or not _uses_relationship(plan):
        pairs: list[tuple[dict, Any]] = [(r, None) for r in rows if matches(r, _EMPTY)]
    else:
        pairs = []
        append = pairs.append
        for r in rows:
            parents = LazyParents(r, org, lookups)
            if matches(r, parents):
                append((r, parents))
    if plan.query.order_by:
        pairs = plan.sort(pairs)
    if plan.offset or plan.limit is not None:
        pairs = plan.window(pairs)
    return pairs


def attach(org: Org, plan: Plan, pairs: list[tuple[dict, Any]]) -> list[tuple[dict, Any]]:
    """Fill in deferred parents (see ``evaluate``)."""
    lookups = plan.parent_lookups
    if not lookups:
        return [(r, _EMPTY) for r, _p in pairs]
    return [(r, p if p is not None else LazyParents(r, org, lookups)) for r, p in pairs]


def batch_size(header: str | None) -> int:
    """``Sforce-Query-Options: batchSize=n`` (200..2000; default 2000)."""
    if not header:
        return MAX_BATCH
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize":
            try:
                return max(MIN_BATCH, min(MAX_BATCH, int(value.strip())))
            except ValueError:
                return MAX_BATCH
    return MAX_BATCH
