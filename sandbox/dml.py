"""Record writes with Salesforce's validation: insert, update, delete, upsert, and undo for all-or-none.

Callers hold ``org.lock``. Failures raise ``DmlError`` with the errorCode and message Salesforce sends.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox import ids
from sandbox.clock import parse_date, parse_datetime, sf_datetime
from sandbox.derived import derive
from sandbox.errors import DmlError
from sandbox.schema.model import TEXT_TYPES, Field, SObjectSpec
from sandbox.schema.picklists import OPPORTUNITY_STAGES
from sandbox.schema.setup import MASTER_RECORD_TYPE_ID
from sandbox.state import Org, User
from sandbox.validation import rules_check

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAGES = {s[0]: s for s in OPPORTUNITY_STAGES}
NUMBER_TYPES = frozenset({"double", "currency", "percent"})


class Txn:
    """Undo log for all-or-none requests: remembers each touched row's previous state."""

    def __init__(self) -> None:
        self.undo: list[tuple[Org, str, str, dict[str, Any] | None, str | None]] = []

    def remember(self, org: Org, sobject: str, rid: str) -> None:
        old = org.records[sobject].get(rid)
        self.undo.append((org, sobject, rid, None if old is None else dict(old), org.deleted_at[sobject].get(rid)))

    def rollback(self) -> None:
        touched: set[tuple[Org, str]] = set()
        for org, sobject, rid, old, deleted in reversed(self.undo):
            rows = org.records[sobject]
            if old is None:
                rows.pop(rid, None)
            else:
                rows[rid] = old
            if deleted is None:
                org.deleted_at[sobject].pop(rid, None)
            else:
                org.deleted_at[sobject][rid] = deleted
            touched.add((org, sobject))
        for org, sobject in touched:
            for key in [k for k in org.ext_index if k[0] == sobject]:
                del org.ext_index[key]  # rebuilt lazily
        self.undo.clear()


def _bad_value(f: Field, value: Any, kind: str) -> DmlError:
    return DmlError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from VALUE_STRING value {value} or request may be missing a "
        f"required field at [line:1, column:1]",
        [f.name],
    )


def coerce(org: Org, f: Field, value: Any) -> Any:
    """Validate and convert one JSON value for field ``f``; returns the stored form."""
    t = f.type
    if value is None or (value == "" and t != "boolean"):
        return False if t == "boolean" else None
    if t in TEXT_TYPES or t in ("picklist", "multipicklist"):
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        elif not isinstance(value, str):
            raise _bad_value(f, value, "string")
        if f.length and len(value) > f.length:
            raise DmlError(
                "STRING_TOO_LONG", f"{f.label}: data value too large: {value[:255]} (max length={f.length})", [f.name]
            )
        if t == "email" and not EMAIL_RE.match(value):
            raise DmlError("INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name])
        if t == "picklist" and f.restricted and value not in f.active_values:
            raise DmlError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {value}",
                [f.name],
            )
        return value
    if t == "boolean":
        # Salesforce's JSON reader takes the strings "true"/"false" (any case) for a boolean, nothing else.
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise _bad_value(f, value, "boolean")
        return value
    if t == "int":
        if isinstance(value, bool):
            raise _bad_value(f, value, "int")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _bad_value(f, value, "int") from None
        if number != int(number):
            raise _bad_value(f, value, "int")
        return int(number)
    if t in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _bad_value(f, value, "double")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_value(f, value, "double") from None
    if t == "date":
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise _bad_value(f, value, "date")
        return parsed.isoformat()
    if t == "datetime":
        parsed_dt = parse_datetime(value) if isinstance(value, str) else None
        if parsed_dt is None:
            raise _bad_value(f, value, "datetime")
        return sf_datetime(parsed_dt)
    if t in ("reference", "id"):
        return check_reference(org, f, value)
    return value


def check_reference(org: Org, f: Field, value: Any) -> str:
    rid = ids.normalize(value) if isinstance(value, str) else None
    if rid is None:
        raise DmlError("MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name])
    targets = f.reference_to
    if rid == MASTER_RECORD_TYPE_ID and "RecordType" in targets:
        return rid  # no row, but a valid RecordTypeId (see _apply_record_type)
    prefixes = {org.schema[t].key_prefix if t in org.schema else ids.KEY_PREFIXES.get(t) for t in targets}
    if targets and rid[:3] not in prefixes:
        raise DmlError("FIELD_INTEGRITY_EXCEPTION", f"{f.label}: id value of incorrect type: {rid}", [f.name])
    target = next((t for t in targets if t in org.schema and org.schema[t].key_prefix == rid[:3]), None)
    if target is not None:
        row = org.records[target].get(rid)
        if row is None or row.get("IsDeleted"):
            raise (
                DmlError("INVALID_CROSS_REFERENCE_KEY", f"{f.label}: invalid cross reference id", [f.name])
                if row is None
                else DmlError("ENTITY_IS_DELETED", "entity is deleted", [f.name])
            )
        if target == "Lead" and row.get("IsConverted") and f.name != "ConvertedLeadId":
            raise DmlError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", [f.name])
    return rid


def _writable(org: Org, user: User | None, spec: SObjectSpec, values: dict[str, Any], creating: bool) -> list[Field]:
    """Resolve keys to fields; INVALID_FIELD for unknown/hidden, INVALID_FIELD_FOR_INSERT_UPDATE for read-only."""
    profile = org.profile_of(user) if user is not None else None
    resolved: list[Field] = []
    not_writable: list[str] = []
    for key in values:
        if key == "attributes":
            continue
        f = spec.get(key)
        access = "edit" if profile is None or f is None else profile.field_access(spec.name, f.name)
        if f is None or access == "hidden":
            raise DmlError("INVALID_FIELD", f"No such column '{key}' on sobject of type {spec.name}", [])
        allowed = f.createable if creating else f.updateable
        if not allowed or access == "read":
            not_writable.append(f.name)
        resolved.append(f)
    if not_writable:
        raise DmlError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(not_writable)}. Please check the security settings of "
            f"this field and verify that it is read/write for your profile or permission set.",
            not_writable,
        )
    return resolved


OBJECT_FLAG_OF = {"c": "createable", "d": "deletable"}


def check_object_access(org: Org, user: User | None, sobject: str, letter: str) -> None:
    if user is None:
        return
    if org.schema[sobject].flags.get(OBJECT_FLAG_OF.get(letter, ""), True) is False:  # e.g. Organization
        verb = {"c": "create", "d": "delete"}[letter]
        raise DmlError("INSUFFICIENT_ACCESS_OR_READONLY", f"insufficient access rights: you cannot {verb} {sobject}")
    if letter not in org.profile_of(user).object_perms(sobject):
        verb = {"c": "create", "r": "read", "u": "edit", "d": "delete"}[letter]
        raise DmlError(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            f"insufficient access rights on object id: you cannot {verb} {sobject} records",
        )


def defaults_template(org: Org, spec: SObjectSpec) -> dict[str, Any]:
    """Values every new row starts with: booleans false, picklist defaults."""
    row: dict[str, Any] = {}
    for f in spec.fields.values():
        if f.type == "boolean":
            row[f.name] = bool(f.default) if f.default is not None else False
        elif f.default is not None and f.defaulted:
            row[f.name] = f.default
    return row


# --- record types -------------------------------------------------------------------------------


def record_types_of(org: Org, sobject: str) -> list[dict[str, Any]]:
    """Active RecordType rows of ``sobject``, oldest first (the first is every profile's default here)."""
    rows = org.records.get("RecordType", {}).values()
    found = [r for r in rows if r.get("SobjectType") == sobject and r.get("IsActive") and not r.get("IsDeleted")]
    return sorted(found, key=lambda r: (r.get("CreatedDate") or "", r["Id"]))


def _apply_record_type(org: Org, spec: SObjectSpec, row: dict[str, Any], creating: bool) -> None:
    """Default RecordTypeId on insert; refuse a record type of another object or an inactive one."""
    if "RecordTypeId" not in spec.fields:
        return
    rid = row.get("RecordTypeId")
    if rid == MASTER_RECORD_TYPE_ID:
        row["RecordTypeId"] = rid = None  # the Master record type is no row: the record has no record type
    if rid is None:
        if creating:
            active = record_types_of(org, spec.name)
            row["RecordTypeId"] = active[0]["Id"] if active else None
        return
    if rid not in {r["Id"] for r in record_types_of(org, spec.name)}:
        raise DmlError(
            "INVALID_CROSS_REFERENCE_KEY", f"Record Type ID: this ID value isn't valid for the user: {rid}",
            ["RecordTypeId"],
        )  # fmt: skip


def _schema_changed(org: Org, sobject: str, now: str) -> None:
    """A RecordType write changes describes (recordTypeInfos): new cache key and Last-Modified."""
    if sobject != "RecordType":
        return
    org.touch()
    stamp = parse_datetime(now)
    if stamp is not None:
        org.schema_modified = max(org.schema_modified, stamp.timestamp())


def _check_required(spec: SObjectSpec, row: dict[str, Any]) -> None:
    missing = [f.name for f in spec.fields.values() if f.required_on_create and row.get(f.name) in (None, "")]
    if missing:
        raise DmlError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)


# --- external ids -------------------------------------------------------------------------------


def _index_key(value: Any) -> str:
    return value.lower() if isinstance(value, str) else str(value)


def ext_index(org: Org, sobject: str, field_name: str) -> dict[str, set[str]]:
    key = (sobject, field_name)
    index = org.ext_index.get(key)
    if index is None:
        index = {}
        for rid, row in org.records[sobject].items():
            value = row.get(field_name)
            if value is not None and not row.get("IsDeleted"):
                index.setdefault(_index_key(value), set()).add(rid)
        org.ext_index[key] = index
    return index


def _unique_fields(spec: SObjectSpec) -> list[Field]:
    """Fields whose value index is kept current on writes: unique ones and every upsert key but Id."""
    return [f for f in spec.fields.values() if f.external_id or f.unique or (f.id_lookup and f.type != "id")]


def upsert_key(spec: SObjectSpec, name: str) -> Field | None:
    """The field an upsert may match on: any whose describe says idLookup (Id, Email, External IDs), else None."""
    f = spec.get(name)
    return f if f is not None and f.id_lookup else None


def _check_unique(org: Org, spec: SObjectSpec, row: dict[str, Any], rid: str) -> None:
    for f in _unique_fields(spec):
        if not f.unique:
            continue
        value = row.get(f.name)
        if value is None:
            continue
        others = ext_index(org, spec.name, f.name).get(_index_key(value), set()) - {rid}
        if others:
            other = sorted(others)[0]
            raise DmlError(
                "DUPLICATE_VALUE",
                f"duplicate value found: {f.name} duplicates value on record with id: {other}",
                [f.name],
            )


def _reindex(org: Org, spec: SObjectSpec, rid: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    for f in _unique_fields(spec):
        index = org.ext_index.get((spec.name, f.name))
        if index is None:
            continue
        if old is not None and old.get(f.name) is not None and not old.get("IsDeleted"):
            bucket = index.get(_index_key(old[f.name]))
            if bucket is not None:
                bucket.discard(rid)
        if new is not None and new.get(f.name) is not None and not new.get("IsDeleted"):
            index.setdefault(_index_key(new[f.name]), set()).add(rid)


# --- operations ---------------------------------------------------------------------------------


def insert(org: Org, user: User, sobject: str, values: dict[str, Any], *, now: str, txn: Txn | None = None) -> str:
    spec = org.schema[sobject]
    check_object_access(org, user, sobject, "c")
    if not isinstance(values, dict):
        raise DmlError("JSON_PARSER_ERROR", "The request body must be a JSON object")
    if "Id" in values or "id" in values:
        raise DmlError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id.", ["Id"])
    row = defaults_template(org, spec)
    for f in _writable(org, user, spec, values, creating=True):
        row[f.name] = coerce(org, f, _value(values, f.name))
    if "OwnerId" in spec.fields and not row.get("OwnerId"):
        row["OwnerId"] = user.id
    _apply_record_type(org, spec, row, creating=True)
    _check_required(spec, row)
    rules_check(getattr(org, "validation_rules", []), sobject, row)  # (state files from before rules: none)
    rid = org.ids.new(spec.key_prefix)
    _check_unique(org, spec, row, rid)
    row.update(
        Id=rid, IsDeleted=False, CreatedDate=now, CreatedById=user.id, LastModifiedDate=now,
        LastModifiedById=user.id, SystemModstamp=now,
    )  # fmt: skip
    derive(org, sobject, row, now, frozenset(spec.get(k).name for k in values if spec.get(k) is not None))
    if txn is not None:
        txn.remember(org, sobject, rid)
    org.records[sobject][rid] = row
    _reindex(org, spec, rid, None, row)
    _schema_changed(org, sobject, now)
    return rid


def _value(values: dict[str, Any], name: str) -> Any:
    if name in values:
        return values[name]
    lowered = name.lower()
    for key, value in values.items():
        if key.lower() == lowered:
            return value
    return None


def live_row(org: Org, sobject: str, rid: str) -> dict[str, Any]:
    """The row for an update/delete: NOT_FOUND (404) if absent, ENTITY_IS_DELETED if deleted."""
    row = org.records[sobject].get(rid)
    if row is None:
        raise DmlError("NOT_FOUND", "The requested resource does not exist", status=404)
    if row.get("IsDeleted"):
        raise DmlError("ENTITY_IS_DELETED", "entity is deleted", status=404)
    return row


def update(
    org: Org, user: User, sobject: str, rid: str, values: dict[str, Any], *, now: str, txn: Txn | None = None
) -> None:
    spec = org.schema[sobject]
    check_object_access(org, user, sobject, "u")
    if not isinstance(values, dict):
        raise DmlError("JSON_PARSER_ERROR", "The request body must be a JSON object")
    row = live_row(org, sobject, rid)
    if sobject == "Lead" and row.get("IsConverted"):
        raise DmlError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", [])
    changes = {k: v for k, v in values.items() if k.lower() != "id"}
    new = dict(row)
    for f in _writable(org, user, spec, changes, creating=False):
        new[f.name] = coerce(org, f, _value(changes, f.name))
    missing = [
        f.name
        for f in spec.fields.values()
        if f.createable and not f.nillable and f.name in new and new[f.name] in (None, "") and f.type != "boolean"
    ]
    if missing:
        raise DmlError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)
    if new.get("RecordTypeId") != row.get("RecordTypeId"):
        _apply_record_type(org, spec, new, creating=False)
    rules_check(getattr(org, "validation_rules", []), sobject, new)
    _check_unique(org, spec, new, rid)
    new.update(LastModifiedDate=now, LastModifiedById=user.id, SystemModstamp=now)
    derive(org, sobject, new, now, frozenset(spec.get(k).name for k in changes if spec.get(k) is not None))
    if txn is not None:
        txn.remember(org, sobject, rid)
    _reindex(org, spec, rid, row, new)
    org.records[sobject][rid] = new
    _schema_changed(org, sobject, now)


def delete(org: Org, user: User, sobject: str, rid: str, *, now: str, txn: Txn | None = None) -> None:
    spec = org.schema[sobject]
    check_object_access(org, user, sobject, "d")
    row = live_row(org, sobject, rid)
    if txn is not None:
        txn.remember(org, sobject, rid)
    new = dict(row)
    new.update(IsDeleted=True, LastModifiedDate=now, LastModifiedById=user.id, SystemModstamp=now)
    _reindex(org, spec, rid, row, new)
    org.records[sobject][rid] = new
    org.deleted_at[sobject][rid] = now


def find_by_external_id(org: Org, sobject: str, f: Field, value: Any) -> list[str]:
    if f.name == "Id":
        rid = ids.normalize(value)
        row = org.records[sobject].get(rid) if rid else None
        return [rid] if row is not None and not row.get("IsDeleted") else []
    return sorted(ext_index(org, sobject, f.name).get(_index_key(value), set()))


def upsert(
    org: Org,
    user: User,
    sobject: str,
    field_name: str,
    value: Any,
    values: dict[str, Any],
    *,
    now: str,
    txn: Txn | None = None,
    update_only: bool = False,
) -> tuple[str, bool]:
    """Insert or update by External ID; returns (id, created). 300-style ambiguity raises MULTIPLE_CHOICES."""
    spec = org.schema[sobject]
    f = upsert_key(spec, field_name)
    if f is None:
        raise DmlError(
            "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}", status=404
        )
    body = {k: v for k, v in values.items() if k.lower() != f.name.lower()}
    if value in (None, "") and f.name == "Id" and not update_only:
        # Upsert keyed on Id inserts the records that carry no Id (how Collections upsert mixes inserts and updates).
        return insert(org, user, sobject, body, now=now, txn=txn), True
    if value in (None, ""):
        raise DmlError("REQUIRED_FIELD_MISSING", f"Required field missing: {f.name}", [f.name])
    matches = find_by_external_id(org, sobject, f, value)
    if len(matches) > 1:
        raise DmlError("MULTIPLE_CHOICES", f"{f.name}: more than one record found for external id field: {matches}",
                       [f.name], status=300)  # fmt: skip
    if matches:
        update(org, user, sobject, matches[0], body, now=now, txn=txn)
        return matches[0], False
    if update_only or f.name == "Id":
        raise DmlError("NOT_FOUND", "The requested resource does not exist", status=404)
    body[f.name] = value
    return insert(org, user, sobject, body, now=now, txn=txn), True
