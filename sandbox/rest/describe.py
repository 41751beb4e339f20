"""describeGlobal, sObject describe and the sObject basic-info resource, shaped by the user's permissions."""

from __future__ import annotations

import email.utils
import hashlib
from typing import Any

from sandbox import dml
from sandbox.http import dumps
from sandbox.rest.base import Ctx, Out, spec_or_404
from sandbox.schema.describe import child_relationship, describe_sobject, field_describe, global_entry

_CACHE_MAX = 256


def _etag(raw: bytes) -> str:
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _tags(header: str) -> set[str]:
    """Entity tags of an If-None-Match header, compared weakly (``W/"x"`` matches ``"x"``), as RFC 9110 says."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _not_modified(ctx: Ctx, etag: str, modified: float) -> bool:
    none_match = ctx.headers.get("if-none-match")
    if none_match:  # when both are sent, If-None-Match decides and If-Modified-Since is ignored
        tags = _tags(none_match)
        return "*" in tags or etag in tags
    since = ctx.headers.get("if-modified-since")
    if not since:
        return False
    try:
        parsed = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as HTTP caches do
    return parsed is not None and parsed.timestamp() >= int(modified)


def cacheable(ctx: Ctx, raw: bytes) -> Out:
    """A describe answer with ETag and Last-Modified; 304 with an empty body when the client's copy is current.

    Clients cache describes and revalidate them (reference section 2.3), so a stale answer here would hide schema
    changes from the product exactly as a real org would not.
    """
    etag = _etag(raw)
    headers = [("ETag", etag), ("Last-Modified", email.utils.formatdate(ctx.org.schema_modified, usegmt=True))]
    if _not_modified(ctx, etag, ctx.org.schema_modified):
        return Out(304, headers=headers)
    return Out(200, raw=raw, headers=headers)


def describe_global(ctx: Ctx) -> Out:
    profile = ctx.org.profile_of(ctx.user)
    entries = [
        global_entry(spec, ctx.version, ctx.app.base_url, profile.object_perms(spec.name))
        for spec in sorted(ctx.org.schema.values(), key=lambda s: s.name)
    ]
    return cacheable(ctx, dumps({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": entries}))


def build_describe(ctx: Ctx, sobject: str) -> dict[str, Any]:
    org, profile = ctx.org, ctx.org.profile_of(ctx.user)
    spec = org.schema[sobject]
    perms = profile.object_perms(spec.name)
    fields = []
    for f in spec.fields.values():
        access = profile.field_access(spec.name, f.name)
        if access == "hidden":
            continue
        if access == "read" or "c" not in perms or "u" not in perms:
            fields.append(
                field_describe(
                    f,
                    createable=f.createable and access == "edit" and "c" in perms,
                    updateable=f.updateable and access == "edit" and "u" in perms,
                )
            )
        else:
            fields.append(field_describe(f))
    children = []
    for child in sorted(org.schema.values(), key=lambda s: s.name):
        for f in child.fields.values():
            if f.type == "reference" and spec.name in f.reference_to:
                children.append(child_relationship(child, f))
    return describe_sobject(
        spec, fields=fields, child_relationships=children, version=ctx.version, instance_url=ctx.app.base_url,
        perms=perms, record_types=dml.record_types_of(org, spec.name),
    )  # fmt: skip


def describe(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    profile = ctx.org.profile_of(ctx.user)
    key = (ctx.org.id, ctx.org.version, profile.id, spec.name, ctx.version)
    cache = ctx.app.describe_cache
    raw = cache.get(key)
    if raw is None:
        raw = dumps(build_describe(ctx, spec.name))
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = raw
    return cacheable(ctx, raw)


def basic_info(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    profile = ctx.org.profile_of(ctx.user)
    entry = global_entry(spec, ctx.version, ctx.app.base_url, profile.object_perms(spec.name))
    rows = ctx.org.records[spec.name]
    recent = [
        {
            "attributes": {"type": spec.name, "url": f"/services/data/v{ctx.version}/sobjects/{spec.name}/{rid}"},
            "Id": rid,
            **({"Name": row.get("Name")} if "Name" in spec.fields else {}),
        }
        for rid, row in list(rows.items())[-5:]
        if not row.get("IsDeleted")
    ]
    return Out(200, {"objectDescribe": entry, "recentItems": recent})
