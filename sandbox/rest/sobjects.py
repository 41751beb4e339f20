"""Single-record sObject calls: create, read, update, delete, upsert and read by External ID."""

from __future__ import annotations

from urllib.parse import unquote

from sandbox import dml
from sandbox.errors import ApiError, DmlError
from sandbox.rest.base import Ctx, Out, field_list, record_id, record_url, render_record, spec_or_404


def _body(ctx: Ctx) -> dict:
    if not isinstance(ctx.body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object describing the record")
    return ctx.body


def create(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    rid = dml.insert(ctx.org, ctx.user, spec.name, _body(ctx), now=ctx.now_str, txn=ctx.txn)
    return Out(201, {"id": rid, "success": True, "errors": []})


def _live(ctx: Ctx, sobject: str, raw_id: str):
    spec = spec_or_404(ctx, sobject)
    rid = record_id(spec, raw_id)
    row = ctx.org.records[spec.name].get(rid)
    if row is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    if row.get("IsDeleted"):
        raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    return spec, rid, row


def read(ctx: Ctx, sobject: str, record: str) -> Out:
    spec, _rid, row = _live(ctx, sobject, record)
    return Out(200, render_record(ctx, spec, row, field_list(ctx, spec, ctx.arg("fields"))))


def update(ctx: Ctx, sobject: str, record: str) -> Out:
    spec, rid, _row = _live(ctx, sobject, record)
    dml.update(ctx.org, ctx.user, spec.name, rid, _body(ctx), now=ctx.now_str, txn=ctx.txn)
    return Out(204)


def delete(ctx: Ctx, sobject: str, record: str) -> Out:
    spec, rid, _row = _live(ctx, sobject, record)
    dml.delete(ctx.org, ctx.user, spec.name, rid, now=ctx.now_str, txn=ctx.txn)
    return Out(204)


def _external_field(ctx: Ctx, spec, field_name: str):
    f = dml.upsert_key(spec, field_name)
    profile = ctx.org.profile_of(ctx.user)
    if f is None or profile.field_access(spec.name, f.name) == "hidden":
        raise ApiError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}"
        )
    return f


def _matches_or_300(ctx: Ctx, spec, f, value: str) -> list[str]:
    matches = dml.find_by_external_id(ctx.org, spec.name, f, value)
    if len(matches) > 1:
        raise MultipleChoices([record_url(ctx.version, spec.name, m) for m in matches])
    return matches


class MultipleChoices(Exception):
    def __init__(self, urls: list[str]) -> None:
        super().__init__("more than one record matches")
        self.urls = urls


def by_external_id(ctx: Ctx, sobject: str, field_name: str, value: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    f = _external_field(ctx, spec, field_name)
    value = unquote(value)
    try:
        matches = _matches_or_300(ctx, spec, f, value)
    except MultipleChoices as exc:
        return Out(300, exc.urls)
    if not matches:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    row = ctx.org.records[spec.name][matches[0]]
    return Out(200, render_record(ctx, spec, row, field_list(ctx, spec, ctx.arg("fields"))))


def upsert(ctx: Ctx, sobject: str, field_name: str, value: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    f = _external_field(ctx, spec, field_name)
    value = unquote(value)
    body = _body(ctx)
    try:
        _matches_or_300(ctx, spec, f, value)
    except MultipleChoices as exc:
        return Out(300, exc.urls)
    update_only = (ctx.arg("updateOnly") or "").lower() == "true"
    try:
        rid, created = dml.upsert(
            ctx.org, ctx.user, spec.name, f.name, value, body, now=ctx.now_str, update_only=update_only, txn=ctx.txn
        )
    except DmlError as exc:
        if exc.error_code == "NOT_FOUND" and f.name == "Id":
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist") from None
        raise
    if float(ctx.version) < 46.0:
        return Out(201, {"id": rid, "success": True, "errors": []}) if created else Out(204)
    return Out(201 if created else 200, {"id": rid, "success": True, "errors": [], "created": created})


def delete_by_external_id(ctx: Ctx, sobject: str, field_name: str, value: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    f = _external_field(ctx, spec, field_name)
    try:
        matches = _matches_or_300(ctx, spec, f, unquote(value))
    except MultipleChoices as exc:
        return Out(300, exc.urls)
    if not matches:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    dml.delete(ctx.org, ctx.user, spec.name, matches[0], now=ctx.now_str, txn=ctx.txn)
    return Out(204)
