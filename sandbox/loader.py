"""Fast bulk loading of records for tests, seeding and benchmarks (control API ``POST /_sandbox/records``).

Skips per-row validation beyond field names: values are stored as given (dates as ``YYYY-MM-DD``, datetimes
normalised to ``...000+0000``). A million rows load in a few seconds.
"""

from __future__ import annotations

import gc
from typing import Any

from sandbox import dml
from sandbox.clock import parse_datetime, sf_datetime
from sandbox.derived import derive
from sandbox.errors import ControlError
from sandbox.state import Org, User

FREEZE_AFTER = 10_000
AUDIT = ("CreatedDate", "LastModifiedDate", "SystemModstamp")
NAME_OBJECTS = frozenset({"Contact", "Lead", "User"})
DERIVE_OBJECTS = frozenset({"Task", "Opportunity", "Case"})


def _datetime(value: Any) -> Any:
    if value is None or (isinstance(value, str) and len(value) == 28 and value.endswith("+0000")):
        return value
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise ControlError(f"not a datetime: {value!r}")
    return sf_datetime(parsed)


def load(
    org: Org,
    sobject: str,
    *,
    records: list[dict[str, Any]] | None = None,
    fields: list[str] | None = None,
    rows: list[list[Any]] | None = None,
    created_by: User,
    now: str,
) -> list[str]:
    """Insert rows (dict ``records`` or columnar ``fields`` + ``rows``); returns the new ids in order."""
    spec = org.spec(sobject)
    if spec is None:
        raise ControlError(f"unknown sObject {sobject!r}")
    if records is not None:
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ControlError("'records' must be a list of objects")
        keys: dict[str, None] = {}
        for r in records:
            keys.update(dict.fromkeys(r))
        keys.pop("attributes", None)
        fields = list(keys)
        rows = [[r.get(k) for k in fields] for r in records]
    if not isinstance(fields, list) or not isinstance(rows, list):
        raise ControlError("give 'records' (list of objects) or 'fields' and 'rows' (columnar)")
    names = []
    for name in fields:
        f = spec.get(str(name))
        if f is None:
            raise ControlError(f"no field {name!r} on {spec.name}")
        names.append(f.name)
    if "Id" in names:
        raise ControlError("ids are generated; do not pass Id")
    width = len(names)
    datetime_cols = [i for i, n in enumerate(names) if spec.fields[n].type == "datetime"]
    template = dml.defaults_template(org, spec)
    template.update(
        IsDeleted=False, CreatedDate=now, CreatedById=created_by.id, LastModifiedDate=now,
        LastModifiedById=created_by.id, SystemModstamp=now,
    )  # fmt: skip
    if "OwnerId" in spec.fields:
        template["OwnerId"] = created_by.id
    if any(not isinstance(values, list | tuple) or len(values) != width for values in rows):
        raise ControlError(f"each row must be a list of {width} values")
    new_ids = org.ids.many(spec.key_prefix, len(rows))
    store = org.records[spec.name]
    deleted = org.deleted_at[spec.name]
    name_fields = spec.name in NAME_OBJECTS
    derived_fields = spec.name in DERIVE_OBJECTS
    explicit_audit = any(n in AUDIT for n in names)
    for rid, values in zip(new_ids, rows, strict=True):
        row = template.copy()
        row.update(zip(names, values, strict=True))
        for i in datetime_cols:
            row[names[i]] = _datetime(values[i])
        row["Id"] = rid
        if explicit_audit:
            if "LastModifiedDate" not in names:
                row["LastModifiedDate"] = row["SystemModstamp"] if "SystemModstamp" in names else row["CreatedDate"]
            if "SystemModstamp" not in names:
                row["SystemModstamp"] = row["LastModifiedDate"]
        if name_fields:
            first, last = row.get("FirstName"), row.get("LastName")
            row["Name"] = f"{first} {last}" if first and last else (last or first)
        elif derived_fields:
            derive(org, spec.name, row, row["LastModifiedDate"])
        if row.get("IsDeleted"):
            deleted[rid] = row["SystemModstamp"]
        store[rid] = row
    for key in [k for k in org.ext_index if k[0] == spec.name]:
        del org.ext_index[key]
    if len(new_ids) >= FREEZE_AFTER:
        # Rows are acyclic dicts: move them out of the cyclic GC's sight, or every collection rescans them.
        gc.freeze()
    return new_ids
