"""describeGlobal, sObject describe and the sObject basic-info resource, shaped by the user's permissions."""

from __future__ import annotations

import email.utils
from typing import Any

from sandbox.http import dumps
from sandbox.rest.base import Ctx, Out, spec_or_404
from sandbox.schema.describe import child_relationship, describe_sobject, field_describe, global_entry

_CACHE_MAX = 256


def describe_global(ctx: Ctx) -> Out:
    profile = ctx.org.profile_of(ctx.user)
    entries = [
        global_entry(spec, ctx.version, ctx.app.base_url, profile.object_perms(spec.name))
        for spec in sorted(ctx.org.schema.values(), key=lambda s: s.name)
    ]
    return Out(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": entries})


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
        perms=perms,
    )  # fmt: skip


def describe(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    since = ctx.headers.get("if-modified-since")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None and parsed.timestamp() >= int(ctx.org.schema_modified):
            return Out(304)
    profile = ctx.org.profile_of(ctx.user)
    key = (ctx.org.id, ctx.org.version, profile.id, spec.name, ctx.version)
    cache = ctx.app.describe_cache
    raw = cache.get(key)
    if raw is None:
        raw = dumps(build_describe(ctx, spec.name))
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = raw
    modified = email.utils.formatdate(ctx.org.schema_modified, usegmt=True)
    return Out(200, raw=raw, headers=[("Last-Modified", modified)])


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
