"""REST query, queryAll and queryMore (``nextRecordsUrl``).

The SOQL engine (``sandbox.soql``) compiles and runs the query through ``sandbox.query.OrgStore``, which hands it
the org's rows; this module owns the cursors behind ``nextRecordsUrl``. Handlers run under ``org.lock``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sandbox import ids
from sandbox import query as soql_query
from sandbox.errors import ApiError
from sandbox.rest.base import Ctx, Out
from sandbox.soql import FieldInfo, Plan, SoqlError, compile_query
from sandbox.soql import execute as soql_execute
from sandbox.soql.columns import column_metadata
from sandbox.state import Org, User


class QuerySchema(soql_query.OrgSchema):
    """The user's view of the schema, plus the child relationships parent-to-child subqueries name and
    the write flags column metadata reports."""

    def field(self, sobject: str, name: str) -> FieldInfo | None:
        info = super().field(sobject, name)
        if info is None:
            return None
        spec = self.org.spec(sobject)
        f = spec.get(info.name) if spec is not None else None
        if f is None:
            return info
        createable, updateable = f.createable, f.updateable
        if self.profile is not None:
            perms = self.profile.object_perms(spec.name)
            editable = self.profile.field_access(spec.name, f.name) == "edit"
            createable = createable and editable and "c" in perms
            updateable = updateable and editable and "u" in perms
        return replace(info, createable=createable, updateable=updateable, custom=f.custom)

    def child_relationship(self, sobject: str, name: str) -> tuple[str, str, str] | None:
        # Same source as describe's childRelationships: lookups to `sobject` that name a relationship.
        wanted = name.lower()
        for child in sorted(self.org.schema.values(), key=lambda spec: spec.name):
            for f in child.fields.values():
                rel = f.child_relationship
                if f.type == "reference" and rel and rel.lower() == wanted and sobject in f.reference_to:
                    if self.sobject(child.name) is None or self.field(child.name, f.name) is None:
                        return None
                    return child.name, f.name, rel
        return None


class _Cursor:
    __slots__ = ("pairs", "plan", "batch", "version", "store")

    def __init__(self, pairs: list, plan: Plan, batch: int, version: str, store: soql_query.OrgStore) -> None:
        self.pairs, self.plan, self.batch, self.version, self.store = pairs, plan, batch, version, store


def _soql(ctx: Ctx) -> str:
    q = ctx.arg("q")
    if q is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string must be provided with the q parameter")
    return q


def compile_for(org: Org, user: User | None, soql: str, *, now, version: str) -> Plan:
    if not soql.strip():
        raise ApiError(400, "MALFORMED_QUERY", "unexpected token: <EOF>")
    try:
        return compile_query(soql, QuerySchema(org, user), now=now, api_version=version)
    except SoqlError as exc:
        raise soql_query.soql_error(exc) from None
    except RecursionError:
        raise ApiError(400, "MALFORMED_QUERY", "Query is too complex") from None


def run(ctx: Ctx, *, include_deleted: bool) -> dict[str, Any]:
    plan = compile_for(ctx.org, ctx.user, _soql(ctx), now=ctx.now, version=ctx.version)
    if (ctx.arg("columns") or "").lower() == "true":
        # Column metadata instead of records: nothing is read.
        spec = ctx.org.spec(plan.sobject)
        return {**column_metadata(plan), "keyPrefix": spec.key_prefix if spec is not None else None}
    store = soql_query.OrgStore(ctx.org, include_deleted=include_deleted)
    pairs = soql_execute.select(plan, store)
    if plan.is_count:
        return {"totalSize": len(pairs), "done": True, "records": []}
    if plan.is_aggregate:
        records = plan.aggregate(pairs)
        return {"totalSize": len(records), "done": True, "records": records}
    batch = soql_query.batch_size(ctx.headers.get("sforce-query-options"))
    return _page(ctx.org, _Cursor(pairs, plan, batch, ctx.version, store), 0, None)


def _page(org: Org, cursor: _Cursor, start: int, locator: str | None) -> dict[str, Any]:
    end = start + cursor.batch
    records = soql_execute.project(cursor.plan, cursor.pairs[start:end], cursor.store)
    result: dict[str, Any] = {"totalSize": len(cursor.pairs), "done": end >= len(cursor.pairs)}
    if not result["done"]:
        if locator is None:
            locator = org.ids.new(ids.KEY_PREFIXES["QueryLocator"])
            org.cursors[locator] = cursor
            while len(org.cursors) > soql_query.MAX_CURSORS:
                org.cursors.popitem(last=False)
        result["nextRecordsUrl"] = f"/services/data/v{cursor.version}/query/{locator}-{end}"
    result["records"] = records
    return result


def query(ctx: Ctx) -> Out:
    return Out(200, run(ctx, include_deleted=False))


def query_all(ctx: Ctx) -> Out:
    return Out(200, run(ctx, include_deleted=True))


def query_more(ctx: Ctx, locator: str) -> Out:
    """queryMore: ``01g...-2000`` -> the next page of a cached cursor."""
    key, _, offset = locator.partition("-")
    cursors = ctx.org.cursors
    if key not in cursors:
        key = ids.normalize(key) or ""
    cursor = cursors.get(key)
    if not isinstance(cursor, _Cursor) or not offset.isdigit():
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    cursors.move_to_end(key)
    return Out(200, _page(ctx.org, cursor, int(offset), key))
