"""Column metadata of a query, as `GET query?q=...&columns=true` answers it (Developer Console and
Workbench build their result grids from it): one entry per SELECT item, parent relationships as one
column whose `joinColumns` are the fields read through it, child subqueries as an `aggregate` column
whose `joinColumns` are the subquery's own columns. The caller adds the object's `keyPrefix`.
"""

from __future__ import annotations

from typing import Any

from .plan import ChildSpec, Plan
from .resolve import ResolvedField
from .schema import FieldInfo

_APEX_TYPES = {
    "id": "Id",
    "reference": "Id",
    "boolean": "Boolean",
    "int": "Integer",
    "long": "Long",
    "double": "Decimal",
    "currency": "Decimal",
    "percent": "Decimal",
    "date": "Date",
    "datetime": "Datetime",
    "time": "Time",
    "base64": "Blob",
    "address": "Address",
    "location": "Location",
    "anytype": "Object",
}
_TEXT_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring"}
)
_NUMBER_APEX = frozenset({"Integer", "Long", "Decimal", "Double"})


def apex_type(field_type: str) -> str:
    t = field_type.lower()
    return "String" if t in _TEXT_TYPES else _APEX_TYPES.get(t, "Object")


def _column(
    name: str,
    apex: str | None,
    *,
    aggregate: bool = False,
    custom: bool = False,
    foreign_key: str | None = None,
    insertable: bool = False,
    updatable: bool = False,
    join: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "aggregate": aggregate,
        "apexType": apex,
        "booleanType": apex == "Boolean",
        "columnName": name,
        "custom": custom,
        "displayName": name,
        "foreignKeyName": foreign_key,
        "insertable": insertable,
        "joinColumns": join if join is not None else [],
        "numberType": apex in _NUMBER_APEX,
        "textType": apex == "String",
        "updatable": updatable,
    }


def _field_column(info: FieldInfo, name: str | None = None, *, writable: bool = True) -> dict[str, Any]:
    return _column(
        name or info.name,
        apex_type(info.type),
        custom=info.custom,
        insertable=writable and info.createable,
        updatable=writable and info.updateable,
    )


def _columns(plan: Plan) -> list[dict[str, Any]]:
    grouping = plan.grouping
    if grouping is not None:
        measures = {m.slot: m for m in grouping.measures}
        out = []
        for key, slot in grouping.output:
            m = measures[slot]
            if m.func is None and m.field is not None:
                out.append(_field_column(m.field.info, key, writable=False))
            else:
                out.append(
                    _column(key, "Integer" if m.result_type == "int" else apex_type(m.result_type), aggregate=True)
                )
        return out
    out: list[dict[str, Any]] = []
    relationships: dict[str, dict[str, Any]] = {}  # relationship path -> its column
    for item in plan.selected_items:
        if isinstance(item, ChildSpec):
            out.append(_column(item.name, None, aggregate=True, join=_columns(item.plan)))
            continue
        _place(plan, item, out, relationships)
    return out


def _place(plan: Plan, f: ResolvedField, out: list[dict[str, Any]], relationships: dict[str, dict[str, Any]]) -> None:
    """Put a field in the top-level list, or under its (possibly nested) relationship columns."""
    container = out
    prefix = ""
    for rel in f.relationships:
        path = prefix + rel
        column = relationships.get(path)
        if column is None:
            target, fk, _holder = plan.parent_paths.get(path, (f.sobject, None, None))
            column = _column(rel, target, custom=rel.endswith("__r"), foreign_key=fk)
            relationships[path] = column
            container.append(column)
        container = column["joinColumns"]
        prefix = path + "."
    container.append(_field_column(f.info))


def column_metadata(plan: Plan) -> dict[str, Any]:
    """The `columns=true` body, without `keyPrefix` (the schema provider does not know prefixes)."""
    return {
        "columnMetadata": [] if plan.is_count else _columns(plan),
        "entityName": plan.sobject,
        "groupBy": bool(plan.query.group_by),
        "idSelected": any(
            isinstance(item, ResolvedField) and item.relationship is None and item.info.name == "Id"
            for item in plan.selected_items
        ),
    }
