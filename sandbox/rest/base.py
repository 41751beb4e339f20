"""Shared pieces of the REST handlers: the per-call context, the handler result, record rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox import ids
from sandbox.errors import ApiError
from sandbox.schema.model import SObjectSpec
from sandbox.state import Org, User

if TYPE_CHECKING:
    from sandbox.server import SandboxApp

ADDRESS_PARTS = (
    ("city", "City"), ("country", "Country"), ("geocodeAccuracy", "GeocodeAccuracy"), ("latitude", "Latitude"),
    ("longitude", "Longitude"), ("postalCode", "PostalCode"), ("state", "State"), ("street", "Street"),
)  # fmt: skip


@dataclass
class Ctx:
    """One authenticated data-API call (or one Composite subrequest)."""

    app: SandboxApp
    org: Org
    user: User
    version: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    now: dt.datetime
    internal: bool = False  # a Composite subrequest
    txn: Any = None  # dml.Txn shared by an all-or-none Composite request
    raw: bytes = b""  # the request body as sent (CSV uploads of Bulk ingest jobs)

    @property
    def now_str(self) -> str:
        from sandbox.clock import sf_datetime

        return sf_datetime(self.now)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Out:
    """A handler's answer: JSON ``body`` (or ``raw`` bytes with ``content_type``) and extra headers."""

    status: int
    body: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw: bytes | None = None
    content_type: str | None = None


def spec_or_404(ctx: Ctx, name: str) -> SObjectSpec:
    spec = ctx.org.spec(name)
    if spec is None or "r" not in ctx.org.profile_of(ctx.user).object_perms(spec.name):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return spec


def record_id(spec: SObjectSpec, raw: str) -> str:
    rid = ids.normalize(raw)
    if rid is None or rid[:3] != spec.key_prefix:
        raise ApiError(400, "MALFORMED_ID", f"{spec.label} ID: id value of incorrect type: {raw}")
    return rid


def record_url(version: str, sobject: str, rid: str) -> str:
    return f"/services/data/v{version}/sobjects/{sobject}/{rid}"


def visible_fields(ctx: Ctx, spec: SObjectSpec) -> list[str]:
    profile = ctx.org.profile_of(ctx.user)
    return [name for name in spec.fields if profile.field_access(spec.name, name) != "hidden"]


def render_record(ctx: Ctx, spec: SObjectSpec, row: dict[str, Any], names: list[str] | None = None) -> dict[str, Any]:
    """A record as GET /sobjects/X/{id} returns it: attributes first, then fields in schema order."""
    out: dict[str, Any] = {"attributes": {"type": spec.name, "url": record_url(ctx.version, spec.name, row["Id"])}}
    for name in names if names is not None else visible_fields(ctx, spec):
        f = spec.fields[name]
        if f.type == "address":
            prefix = name[: -len("Address")]
            parts = {key: row.get(prefix + suffix) for key, suffix in ADDRESS_PARTS}
            out[name] = parts if any(v is not None for v in parts.values()) else None
        else:
            out[name] = row.get(name)
    return out


def field_list(ctx: Ctx, spec: SObjectSpec, raw: str | None) -> list[str] | None:
    """``?fields=Id,Email`` -> canonical names (INVALID_FIELD for unknown or hidden ones)."""
    if not raw:
        return None
    profile = ctx.org.profile_of(ctx.user)
    names = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        f = spec.get(part)
        if f is None or profile.field_access(spec.name, f.name) == "hidden":
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{part}' on entity '{spec.name}'. If you are attempting to use a custom field, be "
                "sure to append the '__c' after the custom field name. Please reference your WSDL or the describe "
                "call for the appropriate names.",
            )
        names.append(f.name)
    return names
