"""SOQL against an org, shared by REST query and Bulk query jobs: the user's view of the schema (``OrgSchema``),
the org's rows (``OrgStore``) for ``sandbox.soql.execute``, and the batch size header. REST paging lives in
``sandbox.rest.query``."""

from __future__ import annotations

from typing import Any

from sandbox.errors import ApiError
from sandbox.soql import FieldInfo, Plan, SoqlError, compile_query
from sandbox.state import Org, User

MAX_BATCH = 2000
MIN_BATCH = 200
MAX_CURSORS = 500  # per org; the oldest is dropped first


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


class OrgStore:
    """``soql.execute.Store`` over one org: live rows, plus deleted ones for queryAll."""

    def __init__(self, org: Org, *, include_deleted: bool) -> None:
        self.org = org
        self.include_deleted = include_deleted

    def rows(self, sobject: str) -> list[dict[str, Any]]:
        rows = self.org.records.get(sobject, {}).values()
        if self.include_deleted:
            return list(rows)
        return [r for r in rows if not r.get("IsDeleted")]

    def fetch(self, record_id: str) -> dict[str, Any] | None:
        found = self.org.find_record(record_id)
        if found is None or found[1].get("IsDeleted"):
            return None
        return found[1]


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
