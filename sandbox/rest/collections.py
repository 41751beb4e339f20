"""sObject Collections: create, update, upsert, delete and retrieve up to 200 records in one call.

HTTP 200 with one result per record (``statusCode`` errors); with ``allOrNone`` nothing is kept when any
record fails and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox import dml, ids
from sandbox.errors import ApiError, DmlError
from sandbox.rest.base import Ctx, Out, field_list, render_record, spec_or_404

MAX_RECORDS = 200
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}


def _payload(ctx: Ctx) -> tuple[list[Any], bool]:
    body = ctx.body
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be an object with a 'records' array")
    records = body["records"]
    _check_size(len(records))
    return records, bool(body.get("allOrNone", False))


def _check_size(n: int) -> None:
    if n > MAX_RECORDS:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )


def _run(
    ctx: Ctx,
    items: list[Any],
    all_or_none: bool,
    op: Callable[[Any, dml.Txn], dict],
    id_of: Callable[[Any], str | None] = lambda item: None,
) -> Out:
    txn = ctx.txn or dml.Txn()
    results: list[dict] = []
    failed = False
    for item in items:
        try:
            result = op(item, txn)
        except DmlError as exc:
            failed = True
            result = {"success": False, "errors": [exc.collection_error()]}
            rid = id_of(item)
            if rid:
                result = {"id": rid, **result}
        results.append(result)
    if all_or_none and failed:
        txn.rollback()
        results = [r if not r["success"] else {**_without_created(r), "success": False, "errors": [ROLLED_BACK]}
                   for r in results]  # fmt: skip
    elif ctx.txn is None:
        txn.undo.clear()
    return Out(200, results)


def _without_created(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("created",)}


def _sobject_of(ctx: Ctx, record: Any) -> str:
    if not isinstance(record, dict):
        raise DmlError("JSON_PARSER_ERROR", "Each record must be a JSON object")
    attrs = record.get("attributes")
    name = attrs.get("type") if isinstance(attrs, dict) else None
    if not name:
        raise DmlError("INVALID_TYPE", "No SObject Type defined in the record attributes")
    try:
        return spec_or_404(ctx, str(name)).name
    except ApiError:
        raise DmlError("INVALID_TYPE", f"sObject type '{name}' is not supported.") from None


def _fields(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "attributes" and k.lower() != "id"}


def create(ctx: Ctx) -> Out:
    records, all_or_none = _payload(ctx)

    def op(record: Any, txn: dml.Txn) -> dict:
        sobject = _sobject_of(ctx, record)
        if any(k.lower() == "id" for k in record):
            raise DmlError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        rid = dml.insert(ctx.org, ctx.user, sobject, _fields(record), now=ctx.now_str, txn=txn)
        return {"id": rid, "success": True, "errors": []}

    return _run(ctx, records, all_or_none, op)


def _record_id(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    for k, v in record.items():
        if k.lower() == "id":
            return v
    return None


def update(ctx: Ctx) -> Out:
    records, all_or_none = _payload(ctx)

    def op(record: Any, txn: dml.Txn) -> dict:
        raw = _record_id(record)
        sobject = _sobject_of(ctx, record)
        if not raw:
            raise DmlError("MISSING_ARGUMENT", "Id not specified in an update call", [])
        rid = ids.normalize(raw)
        if rid is None or rid[:3] != ctx.org.schema[sobject].key_prefix:
            raise DmlError("MALFORMED_ID", f"{sobject} ID: id value of incorrect type: {raw}", ["Id"])
        try:
            dml.update(ctx.org, ctx.user, sobject, rid, _fields(record), now=ctx.now_str, txn=txn)
        except DmlError as exc:
            if exc.error_code == "NOT_FOUND":
                raise DmlError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", []) from None
            raise
        return {"id": rid, "success": True, "errors": []}

    return _run(ctx, records, all_or_none, op, id_of=lambda r: ids.normalize(_record_id(r) or ""))


def upsert(ctx: Ctx, sobject: str, field_name: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    f = dml.upsert_key(spec, field_name)
    if f is None or ctx.org.profile_of(ctx.user).field_access(spec.name, f.name) == "hidden":
        raise ApiError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}"
        )
    records, all_or_none = _payload(ctx)

    def op(record: Any, txn: dml.Txn) -> dict:
        name = _sobject_of(ctx, record) if isinstance(record, dict) and record.get("attributes") else spec.name
        if name != spec.name:
            raise DmlError("INVALID_TYPE", f"Record type {name} does not match the upsert object {spec.name}")
        if not isinstance(record, dict):
            raise DmlError("JSON_PARSER_ERROR", "Each record must be a JSON object")
        value = next((v for k, v in record.items() if k.lower() == f.name.lower()), None)
        if value in (None, "") and f.name != "Id":  # a record without an Id is inserted
            raise DmlError("MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
        matches = dml.find_by_external_id(ctx.org, spec.name, f, value) if value else []
        if len(matches) > 1:
            raise DmlError(
                "DUPLICATE_EXTERNAL_ID",
                f"{f.name}: more than one record found for external id field: {matches}",
                [f.name],
            )
        body = {k: v for k, v in record.items() if k != "attributes"}
        rid, created = dml.upsert(ctx.org, ctx.user, spec.name, f.name, value, body, now=ctx.now_str, txn=txn)
        return {"id": rid, "success": True, "errors": [], "created": created}

    return _run(ctx, records, all_or_none, op)


def delete(ctx: Ctx) -> Out:
    raw_ids = [p for p in (ctx.arg("ids") or "").split(",") if p.strip()]
    if not raw_ids:
        raise ApiError(400, "MISSING_ARGUMENT", "The ids parameter is required")
    _check_size(len(raw_ids))
    all_or_none = (ctx.arg("allOrNone") or "false").lower() == "true"

    def op(raw: str, txn: dml.Txn) -> dict:
        raw = raw.strip()
        rid = ids.normalize(raw)
        if rid is None:
            raise DmlError("MALFORMED_ID", f"malformed id {raw}", [])
        found = ctx.org.find_record(rid)
        if found is None:
            raise DmlError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        dml.delete(ctx.org, ctx.user, found[0], rid, now=ctx.now_str, txn=txn)
        return {"id": rid, "success": True, "errors": []}

    return _run(ctx, raw_ids, all_or_none, op, id_of=lambda raw: ids.normalize(raw.strip()))


def retrieve(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    body = ctx.body if isinstance(ctx.body, dict) else {}
    raw_ids = body.get("ids") if body else [p for p in (ctx.arg("ids") or "").split(",") if p.strip()]
    fields_raw = ",".join(body["fields"]) if body.get("fields") else ctx.arg("fields")
    if not raw_ids or not fields_raw:
        raise ApiError(400, "MISSING_ARGUMENT", "ids and fields are required")
    if len(raw_ids) > 2000:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot retrieve more than 2000 records")
    names = field_list(ctx, spec, fields_raw)
    out = []
    for raw in raw_ids:
        rid = ids.normalize(str(raw).strip())
        row = ctx.org.records[spec.name].get(rid) if rid else None
        out.append(None if row is None or row.get("IsDeleted") else render_record(ctx, spec, row, names))
    return Out(200, out)
