"""The data API under ``/services/data/``: authentication, API-usage accounting, routing, error mapping."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sandbox import bulk
from sandbox.errors import ApiError, DmlError, invalid_session
from sandbox.http import Request, Response, Router, dumps, json_response
from sandbox.oauth import bearer, token_user, valid_token
from sandbox.rest import (
    collections,
    composite,
    describe,
    ingest,
    limits,
    listviews,
    query,
    replication,
    sobjects,
)
from sandbox.rest.base import Ctx, Out
from sandbox.state import API_VERSIONS

if TYPE_CHECKING:
    from sandbox.server import SandboxApp

log = logging.getLogger(__name__)
VERSION_PATH = re.compile(r"^/services/data/v(?P<version>\d+\.\d)(?P<rest>/.*)?$")
S = r"/sobjects/(?P<sobject>\w+)"
API_DISABLED = "API is not enabled for this Organization or Partner"

ROUTER = Router()
ROUTER.add("GET", r"/?", limits.resources)
ROUTER.add("GET", r"/limits/?", limits.limits)
ROUTER.add("GET", r"/limits/recordCount/?", limits.record_count)
ROUTER.add("GET", r"/sobjects/?", describe.describe_global)
ROUTER.add("GET", rf"{S}/describe/?", describe.describe)
ROUTER.add("GET", rf"{S}/updated/?", replication.updated)
ROUTER.add("GET", rf"{S}/deleted/?", replication.deleted)
ROUTER.add("GET", rf"{S}/?", describe.basic_info)
ROUTER.add("GET", rf"{S}/listviews(?:/recent)?/?", listviews.list_views)  # a new org's recent ones are all of them
ROUTER.add("GET", rf"{S}/listviews/(?P<view>\w+)/?", listviews.one)
ROUTER.add("GET", rf"{S}/listviews/(?P<view>\w+)/describe/?", listviews.describe)
ROUTER.add("GET", rf"{S}/listviews/(?P<view>\w+)/results/?", listviews.results)
ROUTER.add("POST", rf"{S}/?", sobjects.create)
ROUTER.add("GET", rf"{S}/(?P<record>[A-Za-z0-9]+)/?", sobjects.read)
ROUTER.add("PATCH", rf"{S}/(?P<record>[A-Za-z0-9]+)/?", sobjects.update)
ROUTER.add("DELETE", rf"{S}/(?P<record>[A-Za-z0-9]+)/?", sobjects.delete)
ROUTER.add("GET", rf"{S}/(?P<field_name>\w+)/(?P<value>[^/]+)/?", sobjects.by_external_id)
ROUTER.add("PATCH", rf"{S}/(?P<field_name>\w+)/(?P<value>[^/]+)/?", sobjects.upsert)
ROUTER.add("DELETE", rf"{S}/(?P<field_name>\w+)/(?P<value>[^/]+)/?", sobjects.delete_by_external_id)
ROUTER.add("GET", r"/query/?", query.query)
ROUTER.add("GET", r"/query/(?P<locator>[A-Za-z0-9]+-\d+)/?", query.query_more)
ROUTER.add("GET", r"/queryAll/?", query.query_all)
ROUTER.add("GET", r"/queryAll/(?P<locator>[A-Za-z0-9]+-\d+)/?", query.query_more)
ROUTER.add("POST", r"/composite/?", composite.composite)
ROUTER.add("POST", r"/composite/sobjects/?", collections.create)
ROUTER.add("PATCH", r"/composite/sobjects/?", collections.update)
ROUTER.add("DELETE", r"/composite/sobjects/?", collections.delete)
ROUTER.add("GET POST", r"/composite/sobjects/(?P<sobject>\w+)/?", collections.retrieve)
ROUTER.add("PATCH", r"/composite/sobjects/(?P<sobject>\w+)/(?P<field_name>\w+)/?", collections.upsert)
ROUTER.add("GET", r"/jobs/query/?", bulk.list_jobs)
ROUTER.add("POST", r"/jobs/query/?", bulk.create)
ROUTER.add("GET", r"/jobs/query/(?P<job>\w+)/?", bulk.get)
ROUTER.add("PATCH", r"/jobs/query/(?P<job>\w+)/?", bulk.patch)
ROUTER.add("DELETE", r"/jobs/query/(?P<job>\w+)/?", bulk.delete)
ROUTER.add("GET", r"/jobs/query/(?P<job>\w+)/results/?", bulk.results)
ROUTER.add("GET", r"/jobs/ingest/?", ingest.list_jobs)
ROUTER.add("POST", r"/jobs/ingest/?", ingest.create)
ROUTER.add("GET", r"/jobs/ingest/(?P<job>\w+)/?", ingest.get)
ROUTER.add("PATCH", r"/jobs/ingest/(?P<job>\w+)/?", ingest.patch)
ROUTER.add("DELETE", r"/jobs/ingest/(?P<job>\w+)/?", ingest.delete)
ROUTER.add("PUT", r"/jobs/ingest/(?P<job>\w+)/batches/?", ingest.upload)
ROUTER.add("GET", r"/jobs/ingest/(?P<job>\w+)/successfulResults/?", ingest.successful_results)
ROUTER.add("GET", r"/jobs/ingest/(?P<job>\w+)/failedResults/?", ingest.failed_results)
ROUTER.add("GET", r"/jobs/ingest/(?P<job>\w+)/(?i:unprocessedrecords)/?", ingest.unprocessed_records)


def _error(status: int, code: str, message: str) -> Out:
    return Out(status, [{"message": message, "errorCode": code}])


def call(ctx: Ctx, method: str, path: str) -> Out:
    """Route one authenticated call (also used for Composite subrequests); never raises."""
    matched = ROUTER.match(method, path)
    if matched == 404:
        return _error(404, "NOT_FOUND", "The requested resource does not exist")
    if matched == 405:
        return _error(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD,POST")
    handler, kwargs = matched  # type: ignore[misc]
    try:
        return handler(ctx, **kwargs)
    except ApiError as exc:
        return Out(exc.status, exc.body())
    except DmlError as exc:
        return Out(exc.status, exc.rest_body())
    except Exception:  # a bug in the sandbox must not take the server down
        log.exception("sandbox.rest.unhandled", extra={"method": method, "path": path})
        return _error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you "
                      "contact support: 0000000000-00000 (sandbox)")  # fmt: skip


def _to_response(out: Out, extra: list[tuple[str, str]]) -> Response:
    headers = list(out.headers) + extra
    if out.status in (204, 304):
        return Response(out.status, b"", headers)
    if out.raw is not None:
        ctype = out.content_type or "application/json;charset=UTF-8"
        return Response(out.status, out.raw, [("Content-Type", ctype), *headers])
    return Response(out.status, dumps(out.body), [("Content-Type", "application/json;charset=UTF-8"), *headers])


def handle(app: SandboxApp, req: Request) -> Response:
    if req.path in ("/services/data", "/services/data/"):
        return json_response(200, limits.versions())
    m = VERSION_PATH.match(req.path)
    if m is None or m.group("version") not in API_VERSIONS:
        return json_response(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    state = app.state
    token = valid_token(state, bearer(req))
    found = token_user(state, token) if token else None
    if found is None:
        return json_response(401, invalid_session().body())
    org, user = found
    if not org.api_enabled or not org.profile_of(user).api_enabled:
        resp = json_response(403, [{"errorCode": "API_DISABLED_FOR_ORG", "message": API_DISABLED}])
        resp.org_id, resp.user_id = org.id, user.id
        return resp
    csv_upload = "csv" in (req.header("content-type") or "").lower()  # Bulk ingest data is CSV, not JSON
    try:
        body = req.json() if req.method in ("POST", "PATCH", "PUT") and not csv_upload else None
    except ValueError as exc:
        body = _BadJson(str(exc))
    with org.lock:
        now_s = state.clock.time()
        used = org.api.used(now_s)
        if used >= org.api_limit:
            out = _error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            cost = 0
        else:
            org.api.add(1, now_s)
            used += 1
            cost = 1
            if isinstance(body, _BadJson):
                out = _error(400, "JSON_PARSER_ERROR", f"Unexpected character in the request body: {body.detail}")
            else:
                ctx = Ctx(
                    app=app, org=org, user=user, version=m.group("version"), query=req.query, headers=req.headers,
                    body=body, now=state.clock.now(), raw=req.body,
                )  # fmt: skip
                out = call(ctx, req.method if req.method != "HEAD" else "GET", m.group("rest") or "/")
    resp = _to_response(out, [("Sforce-Limit-Info", f"api-usage={used}/{org.api_limit}")])
    resp.api_cost, resp.org_id, resp.user_id = cost, org.id, user.id
    return resp


class _BadJson:
    def __init__(self, detail: str) -> None:
        self.detail = detail
