"""List views: ``sobjects/{S}/listviews`` (and ``recent``), one list view, its ``describe`` and its ``results``.

Every org has the two list views Salesforce creates for a standard object: "All {Objects}" and, where the object
keeps most-recently-used data, "Recently Viewed {Objects}". Their ids (``00B``) are made once per org and object.
Results are computed from the stored rows with the list view's own columns and order, as its ``query`` says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sandbox import ids
from sandbox.clock import parse_datetime
from sandbox.errors import ApiError, not_found
from sandbox.rest.base import Ctx, Out, spec_or_404
from sandbox.schema.describe import object_flags
from sandbox.schema.model import Field, SObjectSpec

LIST_VIEW_PREFIX = "00B"
DEFAULT_LIMIT = 25
MAX_LIMIT = 2000
# Visible columns per object, after the layouts of a new org; other objects show their name field.
COLUMNS = {
    "Account": ("Name", "Site", "BillingState", "Phone", "Type", "Owner.Alias"),
    "Contact": ("Name", "Account.Name", "Title", "Phone", "Email", "Owner.Alias"),
    "Lead": ("Name", "Company", "State", "Email", "Status", "Owner.Alias"),
    "Opportunity": ("Name", "Account.Name", "Amount", "CloseDate", "StageName", "Owner.Alias"),
    "Case": ("CaseNumber", "Contact.Name", "Subject", "Status", "Priority", "CreatedDate", "Owner.Alias"),
    "Task": ("Subject", "ActivityDate", "Status", "Priority"),
    "Event": ("Subject", "StartDateTime", "EndDateTime"),
}
HIDDEN_COLUMNS = ("Id", "CreatedDate", "LastModifiedDate", "SystemModstamp")
SORT_LABELS = {  # (ascendingLabel, descendingLabel) as list views show them
    "phone": ("9-0", "0-9"),
    "int": ("9-0", "0-9"),
    "double": ("9-0", "0-9"),
    "currency": ("9-0", "0-9"),
    "percent": ("9-0", "0-9"),
    "picklist": ("Low to High", "High to Low"),
    "date": ("New to Old", "Old to New"),
    "datetime": ("New to Old", "Old to New"),
    "boolean": ("Checked to Unchecked", "Unchecked to Checked"),
}


@dataclass(frozen=True)
class ListView:
    id: str
    developer_name: str
    label: str
    recent: bool  # "Recently Viewed": rows with LastViewedDate, most recent first


def views_of(ctx: Ctx, spec: SObjectSpec) -> list[ListView]:
    if "listviews" not in spec.url_keys:
        raise not_found()
    plural = spec.label_plural
    stored = ctx.org.list_views.get(spec.name)
    if stored is None:
        mru = object_flags(spec)["mruEnabled"] and "LastViewedDate" in spec.fields
        wanted = [(f"All{plural.replace(' ', '')}", f"All {plural}", False)]
        if mru:
            wanted.append((f"RecentlyViewed{plural.replace(' ', '')}", f"Recently Viewed {plural}", True))
        stored = [ListView(ctx.org.ids.new(LIST_VIEW_PREFIX), dev, label, recent) for dev, label, recent in wanted]
        ctx.org.list_views[spec.name] = stored
    return stored


def _entry(ctx: Ctx, spec: SObjectSpec, view: ListView) -> dict[str, Any]:
    url = f"/services/data/v{ctx.version}/sobjects/{spec.name}/listviews/{view.id}"
    return {
        "describeUrl": f"{url}/describe",
        "developerName": view.developer_name,
        "id": view.id,
        "label": view.label,
        "resultsUrl": f"{url}/results",
        "soqlCompatible": True,
        "url": url,
    }


def list_views(ctx: Ctx, sobject: str) -> Out:
    spec = spec_or_404(ctx, sobject)
    entries = [_entry(ctx, spec, v) for v in views_of(ctx, spec)]
    return Out(
        200,
        {"done": True, "listviews": entries, "nextRecordsUrl": None, "size": len(entries), "sobjectType": spec.name},
    )


def _view(ctx: Ctx, sobject: str, view: str) -> tuple[SObjectSpec, ListView]:
    spec = spec_or_404(ctx, sobject)
    wanted = ids.normalize(view)
    for candidate in views_of(ctx, spec):
        if candidate.id == wanted or candidate.developer_name == view:
            return spec, candidate
    raise not_found()


def one(ctx: Ctx, sobject: str, view: str) -> Out:
    spec, found = _view(ctx, sobject, view)
    return Out(200, _entry(ctx, spec, found))


# --- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    path: str  # "Name" or "Owner.Alias"
    field: Field  # the field the value is read from (on the parent for a path)
    label: str
    hidden: bool

    def describe(self, first: bool) -> dict[str, Any]:
        t = self.field.type
        ascending, descending = (None, None) if self.hidden else SORT_LABELS.get(t, ("Z-A", "A-Z"))
        select = f"toLabel({self.path})" if t in ("picklist", "multipicklist") else self.path
        return {
            "ascendingLabel": ascending,
            "descendingLabel": descending,
            "fieldNameOrPath": self.path,
            "hidden": self.hidden,
            "label": self.label,
            "selectListItem": select,
            "sortDirection": "ascending" if first else None,
            "sortIndex": 0 if first else None,
            "sortable": not self.hidden,
            "type": t,
        }


def _column(ctx: Ctx, spec: SObjectSpec, path: str, hidden: bool) -> Column | None:
    profile = ctx.org.profile_of(ctx.user)
    rel, _, name = path.rpartition(".")
    if not rel:
        f = spec.get(path)
        if f is None or profile.field_access(spec.name, f.name) == "hidden":
            return None
        return Column(path, f, f.label, hidden)
    lookup = next((f for f in spec.fields.values() if f.relationship_name == rel and f.reference_to), None)
    target = ctx.org.schema.get(lookup.reference_to[-1]) if lookup is not None else None
    f = target.get(name) if target is not None else None
    if lookup is None or f is None or profile.field_access(spec.name, lookup.name) == "hidden":
        return None
    label = f"{spec.label} Owner {f.label}" if rel == "Owner" else f"{target.label} {f.label}"
    if rel != "Owner" and f.label.startswith(target.label):
        label = f.label  # "Account Name", not "Account Account Name"
    return Column(path, f, label, hidden)


def columns_of(ctx: Ctx, spec: SObjectSpec) -> list[Column]:
    name_field = next((f.name for f in spec.fields.values() if f.overrides.get("nameField")), "Id")
    visible = COLUMNS.get(spec.name, (name_field,))
    out = [c for p in visible if (c := _column(ctx, spec, p, hidden=False)) is not None]
    hidden = [p for p in HIDDEN_COLUMNS if p in spec.fields and p not in visible]
    out += [c for p in hidden if (c := _column(ctx, spec, p, hidden=True)) is not None]
    return out


def _query(spec: SObjectSpec, view: ListView, columns: list[Column]) -> str:
    """The SOQL the list view stands for (names from our own schema, no user input)."""
    select = ", ".join(c.describe(False)["selectListItem"].lower() for c in columns)
    if view.recent:
        tail = "WHERE LastViewedDate != NULL ORDER BY LastViewedDate DESC NULLS LAST, Id DESC NULLS LAST"
    else:
        tail = f"ORDER BY {columns[0].path} ASC NULLS FIRST, Id ASC NULLS FIRST"
    return f"SELECT {select} FROM {spec.name} {tail}"  # noqa: S608


def describe(ctx: Ctx, sobject: str, view: str) -> Out:
    spec, found = _view(ctx, sobject, view)
    columns = columns_of(ctx, spec)
    if found.recent:
        order = [{"fieldNameOrPath": "LastViewedDate", "nullsPosition": "last", "sortDirection": "descending"},
                 {"fieldNameOrPath": "Id", "nullsPosition": "last", "sortDirection": "descending"}]  # fmt: skip
        where = {"field": "LastViewedDate", "operator": "notEquals", "values": ["null"]}
    else:
        order = [{"fieldNameOrPath": columns[0].path, "nullsPosition": "first", "sortDirection": "ascending"},
                 {"fieldNameOrPath": "Id", "nullsPosition": "first", "sortDirection": "ascending"}]  # fmt: skip
        where = None
    return Out(200, {
        "columns": [c.describe(i == 0) for i, c in enumerate(columns)],
        "id": found.id,
        "orderBy": order,
        "query": _query(spec, found, columns),
        "relatedEntityId": None,
        "scope": "mru" if found.recent else "everything",
        "scopeEntityId": None,
        "sobjectType": spec.name,
        "whereCondition": where,
    })  # fmt: skip


# --- results ------------------------------------------------------------------------------------


def _display(f: Field, value: Any) -> str | None:
    """A cell as list view results show it: text, picklist labels, Java-style dates (``Fri Aug 01 ... 2014``)."""
    if value is None:
        return None
    if f.type == "datetime":
        parsed = parse_datetime(value)
        return parsed.astimezone(dt.UTC).strftime("%a %b %d %H:%M:%S GMT %Y") if parsed else str(value)
    if f.type in ("picklist", "multipicklist"):
        labels = {v: label for v, label, _active in f.picklist}
        return ";".join(labels.get(part, part) for part in str(value).split(";"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(ctx: Ctx, spec: SObjectSpec, row: dict[str, Any], column: Column) -> str | None:
    rel, _, name = column.path.rpartition(".")
    if not rel:
        return _display(column.field, row.get(column.field.name))
    lookup = next(f for f in spec.fields.values() if f.relationship_name == rel)
    parent_id = row.get(lookup.name)
    found = ctx.org.find_record(parent_id) if parent_id else None
    if found is None or found[1].get("IsDeleted"):
        return None
    return _display(column.field, found[1].get(column.field.name))


def _int_arg(ctx: Ctx, name: str, default: int, low: int, high: int) -> int:
    raw = ctx.arg(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "INVALID_QUERY_PARAMETER_VALUE", f"Invalid value for parameter {name}: {raw}") from None
    if not low <= value <= high:
        raise ApiError(400, "INVALID_QUERY_PARAMETER_VALUE", f"{name} must be between {low} and {high}: {raw}")
    return value


def results(ctx: Ctx, sobject: str, view: str) -> Out:
    spec, found = _view(ctx, sobject, view)
    limit = _int_arg(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_arg(ctx, "offset", 0, 0, 2000)
    columns = columns_of(ctx, spec)
    rows = [r for r in ctx.org.records[spec.name].values() if not r.get("IsDeleted")]
    if found.recent:
        rows = [r for r in rows if r.get("LastViewedDate")]
        rows.sort(key=lambda r: (r["LastViewedDate"], r["Id"]), reverse=True)
    else:
        first = columns[0]
        # Nulls first, then case-insensitive ascending, ties broken by Id (the list view's ORDER BY).
        rows.sort(key=lambda r: (_sort_key(_cell(ctx, spec, r, first)), r["Id"]))
    page = rows[offset : offset + limit]
    records = [
        {"columns": [{"fieldNameOrPath": c.path, "value": _cell(ctx, spec, r, c)} for c in columns]} for r in page
    ]
    return Out(200, {
        "columns": [c.describe(i == 0) for i, c in enumerate(columns)],
        "developerName": found.developer_name,
        "done": offset + len(page) >= len(rows),
        "id": found.id,
        "label": found.label,
        "records": records,
        "size": len(rows),
    })  # fmt: skip


def _sort_key(value: str | None) -> tuple[int, str]:
    return (0, "") if value is None else (1, value.lower())
