"""Composite: up to 25 subrequests in one call, ``@{ref.path}`` references, optional all-or-none.

The whole call costs one API request. Top level is always HTTP 200 with ``compositeResponse``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import dml
from sandbox.errors import ApiError
from sandbox.rest.base import Ctx, Out

MAX_SUBREQUESTS = 25
MAX_QUERY_OR_COLLECTIONS = 5
REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
HALTED = "The transaction was rolled back since another operation in the same transaction failed."


class _Unresolved(Exception):
    def __init__(self, expression: str, ref: str) -> None:
        super().__init__(expression)
        self.expression = expression
        self.ref = ref


def _lookup(results: dict[str, Any], ref: str, path: str, expression: str) -> Any:
    if ref not in results or results[ref] is None:
        raise _Unresolved(expression, ref)
    value = results[ref]
    for key, index in re.findall(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        try:
            if key:
                if not isinstance(value, dict):
                    raise KeyError(key)
                match = next((k for k in value if k.lower() == key.lower()), None)
                if match is None:
                    raise KeyError(key)
                value = value[match]
            else:
                value = value[int(index)]
        except (KeyError, IndexError, TypeError):
            raise _Unresolved(expression, ref) from None
    return value


def _substitute(value: Any, results: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value)
        if whole:
            return _lookup(results, whole.group(1), whole.group(2), value)
        return REFERENCE.sub(lambda m: str(_lookup(results, m.group(1), m.group(2), m.group(0))), value)
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    return value


def _error_item(status: int, code: str, message: str, ref: str | None) -> dict[str, Any]:
    return {"body": [{"errorCode": code, "message": message}], "httpHeaders": {}, "httpStatusCode": status,
            "referenceId": ref}  # fmt: skip


def composite(ctx: Ctx) -> Out:
    from sandbox.rest import call  # the router lives in the package module

    body = ctx.body
    if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must contain a compositeRequest array")
    subrequests = body["compositeRequest"]
    if not subrequests:
        raise ApiError(400, "INVALID_FIELD", "compositeRequest must contain at least one subrequest")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise ApiError(400, "LIMIT_EXCEEDED", f"Number of subrequests exceeded limit of {MAX_SUBREQUESTS}")
    heavy = 0
    for sub in subrequests:
        if not isinstance(sub, dict) or not isinstance(sub.get("url"), str) or not sub.get("method"):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each subrequest needs method, url and referenceId")
        path = urlsplit(sub["url"]).path
        if re.search(r"/(query|queryAll|composite/sobjects)(/|$)", path):
            heavy += 1
    if heavy > MAX_QUERY_OR_COLLECTIONS:
        raise ApiError(
            400, "LIMIT_EXCEEDED",
            f"A composite request can contain at most {MAX_QUERY_OR_COLLECTIONS} query or collection subrequests",
        )  # fmt: skip
    refs = [sub.get("referenceId") for sub in subrequests]
    if len(set(refs)) != len(refs) or not all(isinstance(r, str) and r for r in refs):
        raise ApiError(400, "INVALID_FIELD", "Each referenceId must be present and unique in a composite request")

    all_or_none = bool(body.get("allOrNone", False))
    txn = dml.Txn()
    results: dict[str, Any] = {}
    responses: list[dict[str, Any]] = []
    failed_at: int | None = None
    for i, sub in enumerate(subrequests):
        ref = sub["referenceId"]
        try:
            url = _substitute(sub["url"], results)
            sub_body = _substitute(sub.get("body"), results)
        except _Unresolved as exc:
            results[ref] = None
            responses.append(_error_item(
                400, "PROCESSING_HALTED",
                f"Invalid reference specified. No value for {exc.expression} found in {exc.ref}. Provided referenceId "
                f"('{exc.ref}') must be the referenceId of a previous successful subrequest.", ref,
            ))  # fmt: skip
            if all_or_none:
                failed_at = i
                break
            continue
        out = _dispatch_sub(ctx, call, sub, url, sub_body, txn)
        item = {"body": out.body if out.raw is None else json.loads(out.raw), "httpHeaders": dict(out.headers),
                "httpStatusCode": out.status, "referenceId": ref}  # fmt: skip
        responses.append(item)
        ok = out.status < 400
        results[ref] = item["body"] if ok else None
        if not ok and all_or_none:
            failed_at = i
            break
    if failed_at is not None:
        txn.rollback()
        halted = [_error_item(400, "PROCESSING_HALTED", HALTED, sub["referenceId"]) for sub in subrequests]
        halted[failed_at] = responses[failed_at]
        responses = halted
    return Out(200, {"compositeResponse": responses})


def _dispatch_sub(ctx: Ctx, call, sub: dict, url: str, body: Any, txn: dml.Txn) -> Out:
    parts = urlsplit(url)
    m = re.match(r"^/services/data/v(\d+\.\d)(/.*)?$", parts.path)
    if m is None:
        return Out(400, [{"errorCode": "INVALID_URL", "message": f"Invalid URL in subrequest: {url}"}])
    extra = sub.get("httpHeaders") if isinstance(sub.get("httpHeaders"), dict) else {}
    headers = {**ctx.headers, **{str(k).lower(): str(v) for k, v in extra.items()}}
    query = parse_qs(parts.query, keep_blank_values=True)
    sub_ctx = replace(ctx, version=m.group(1), query=query, headers=headers, body=body, internal=True, txn=txn)
    out = call(sub_ctx, str(sub["method"]).upper(), m.group(2) or "/")
    if out.status == 201 and isinstance(out.body, dict) and out.body.get("id"):
        sobject = (m.group(2) or "").strip("/").split("/")
        if len(sobject) >= 2:
            out.headers.append(("Location", f"/services/data/v{m.group(1)}/sobjects/{sobject[1]}/{out.body['id']}"))
    return out
