"""REST query, queryAll and queryMore (``nextRecordsUrl``)."""

from __future__ import annotations

from sandbox import query as soql_query
from sandbox.errors import ApiError
from sandbox.rest.base import Ctx, Out


def _soql(ctx: Ctx) -> str:
    q = ctx.arg("q")
    if q is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string must be provided with the q parameter")
    return q


def query(ctx: Ctx) -> Out:
    batch = soql_query.batch_size(ctx.headers.get("sforce-query-options"))
    return Out(200, soql_query.run(ctx.org, ctx.user, _soql(ctx), now=ctx.now, version=ctx.version,
                                   include_deleted=False, batch=batch))  # fmt: skip


def query_all(ctx: Ctx) -> Out:
    batch = soql_query.batch_size(ctx.headers.get("sforce-query-options"))
    return Out(200, soql_query.run(ctx.org, ctx.user, _soql(ctx), now=ctx.now, version=ctx.version,
                                   include_deleted=True, batch=batch))  # fmt: skip


def query_more(ctx: Ctx, locator: str) -> Out:
    return Out(200, soql_query.more(ctx.org, locator))
