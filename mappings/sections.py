"""Settings sections as snapshots: what the history stores and what a revert writes back.

A section key is `task:<kind>`, `sequence`, `creation:<object>`, `opt_out`, `sync:<object>` or `advanced`.
Each snapshot is `{"rows": [...]}`, rows being plain dicts, so before/after can be compared and shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mappings.models import (
    CreationDefault,
    CrmSettings,
    OptOutField,
    SequenceFieldMapping,
    SyncFieldMapping,
    TaskFieldMapping,
    ValueTranslation,
)
from mappings.types import (
    MATCH_RULES,
    ActivityKind,
    AmbiguousMatch,
    CreationObject,
    LogMode,
    NewProspectAs,
    ProspectObject,
    SequencePurpose,
    ValueSource,
)

ADVANCED_SETTINGS = (
    "log_mode", "new_prospect_as", "linkedin_url_field_contact", "linkedin_url_field_lead", "api_budget_percent",
    *(name for name, _ in MATCH_RULES), "ambiguous_match",
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    key: Callable[[dict], str]
    """Identifies a row within the section (for diffs)."""
    show: Callable[[dict], str]
    read: Callable[[object, str], list[dict]]
    write: Callable[[object, str, list[dict]], None]


def _mapping_show(row: dict) -> str:
    if row["source"] == ValueSource.TEMPLATE:
        text = f"{row['target_field']} = “{row['value']}”"
    else:
        arrow = "=" if row["source"] == ValueSource.CONSTANT else "←"
        text = f"{row['target_field']} {arrow} {row['value']}"
    text += f" (else {row['fallback']})" if row.get("fallback") else ""
    if row.get("translations"):
        text += " (" + ", ".join(f"{t['ours']} → {t['theirs']}" for t in row["translations"]) + ")"
    return text


# -- task:<kind> ---------------------------------------------------------------------------------------------
def _task_read(workspace, kind: str) -> list[dict]:
    rows = TaskFieldMapping.objects.filter(workspace=workspace, activity_kind=kind).prefetch_related("translations")
    result = []
    for r in rows:
        row = {"target_field": r.target_field, "source": r.source, "value": r.value}
        translations = [{"ours": t.ours, "theirs": t.theirs} for t in r.translations.all()]
        if translations:  # only when there are some, so snapshots from before translations compare equal
            row["translations"] = translations
        result.append(row)
    return result


def _task_write(workspace, kind: str, rows: list[dict]) -> None:
    TaskFieldMapping.objects.filter(workspace=workspace, activity_kind=kind).delete()
    created = TaskFieldMapping.objects.bulk_create(
        TaskFieldMapping(workspace=workspace, activity_kind=kind, position=i, **_without_translations(row))
        for i, row in enumerate(rows)
    )
    ValueTranslation.objects.bulk_create(
        ValueTranslation(mapping=mapping, position=j, ours=t["ours"], theirs=t["theirs"])
        for mapping, row in zip(created, rows, strict=True)
        for j, t in enumerate(row.get("translations") or [])
    )


def _without_translations(row: dict) -> dict:
    return {key: value for key, value in row.items() if key != "translations"}


# -- sequence -------------------------------------------------------------------------------------------------
def _sequence_read(workspace, _arg: str) -> list[dict]:
    rows = SequenceFieldMapping.objects.filter(workspace=workspace)
    return [{"sobject": r.sobject, "purpose": r.purpose, "target_field": r.target_field} for r in rows]


def _sequence_write(workspace, _arg: str, rows: list[dict]) -> None:
    SequenceFieldMapping.objects.filter(workspace=workspace).delete()
    SequenceFieldMapping.objects.bulk_create(SequenceFieldMapping(workspace=workspace, **row) for row in rows)


def _sequence_show(row: dict) -> str:
    return f"{row['sobject']}.{row['target_field']} ← {SequencePurpose(row['purpose']).label}"


# -- creation:<object> ---------------------------------------------------------------------------------------
def _creation_read(workspace, sobject: str) -> list[dict]:
    rows = CreationDefault.objects.filter(workspace=workspace, sobject=sobject)
    return [
        {"target_field": r.target_field, "source": r.source, "value": r.value, "fallback": r.fallback} for r in rows
    ]


def _creation_write(workspace, sobject: str, rows: list[dict]) -> None:
    CreationDefault.objects.filter(workspace=workspace, sobject=sobject).delete()
    CreationDefault.objects.bulk_create(
        CreationDefault(workspace=workspace, sobject=sobject, position=i, **row) for i, row in enumerate(rows)
    )


# -- opt_out ----------------------------------------------------------------------------------------------------
def _opt_out_read(workspace, _arg: str) -> list[dict]:
    rows = {r.sobject: r.target_field for r in OptOutField.objects.filter(workspace=workspace)}
    return [{"sobject": s, "target_field": rows.get(s)} for s in ProspectObject.values]


def _opt_out_write(workspace, _arg: str, rows: list[dict]) -> None:
    for row in rows:
        OptOutField.objects.update_or_create(
            workspace=workspace, sobject=row["sobject"], defaults={"target_field": row["target_field"] or None}
        )


# -- sync:<object> -----------------------------------------------------------------------------------------------
def _sync_read(workspace, sobject: str) -> list[dict]:
    rows = SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject)
    return [
        {
            "field_name": r.field_name,
            "display_name": r.display_name,
            "filterable": r.filterable,
            "field_type": r.field_type,
        }
        for r in rows
    ]


def _sync_write(workspace, sobject: str, rows: list[dict]) -> None:
    existing = {r.field_name: r.status for r in SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject)}
    SyncFieldMapping.objects.filter(workspace=workspace, sobject=sobject).delete()
    SyncFieldMapping.objects.bulk_create(
        SyncFieldMapping(workspace=workspace, sobject=sobject, status=existing.get(row["field_name"], "active"), **row)
        for row in rows
    )


# -- advanced ---------------------------------------------------------------------------------------------------
def _advanced_read(workspace, _arg: str) -> list[dict]:
    crm = CrmSettings.objects.filter(workspace=workspace).first() or CrmSettings(workspace=workspace)
    return [{"setting": name, "value": getattr(crm, name)} for name in ADVANCED_SETTINGS]


def _advanced_write(workspace, _arg: str, rows: list[dict]) -> None:
    crm, _ = CrmSettings.objects.get_or_create(workspace=workspace)
    for row in rows:
        if row["setting"] in ADVANCED_SETTINGS:
            setattr(crm, row["setting"], row["value"])
    crm.full_clean()
    crm.save()


ADVANCED_LABELS = {
    "log_mode": ("Log activities for", LogMode),
    "new_prospect_as": ("Create new prospects as", NewProspectAs),
    "linkedin_url_field_contact": ("Contact LinkedIn URL field", None),
    "linkedin_url_field_lead": ("Lead LinkedIn URL field", None),
    "api_budget_percent": ("API budget %", None),
    **{name: (f"Match {label}", None) for name, label in MATCH_RULES},
    "ambiguous_match": ("When several records match", AmbiguousMatch),
}


def _advanced_show(row: dict) -> str:
    label, choices = ADVANCED_LABELS.get(row["setting"], (row["setting"], None))
    value = row["value"]
    if isinstance(value, bool):
        value = "on" if value else "off"
    elif choices is not None and value in choices.values:
        value = choices(value).label
    return f"{label} = {value if value not in ('', None) else 'none'}"


SECTIONS: dict[str, Section] = {
    "task": Section(lambda r: r["target_field"], _mapping_show, _task_read, _task_write),
    "sequence": Section(lambda r: f"{r['sobject']}.{r['purpose']}", _sequence_show, _sequence_read, _sequence_write),
    "creation": Section(lambda r: r["target_field"], _mapping_show, _creation_read, _creation_write),
    "opt_out": Section(
        lambda r: r["sobject"],
        lambda r: f"{r['sobject']}: {r['target_field'] or 'none'}",
        _opt_out_read,
        _opt_out_write,
    ),
    "sync": Section(
        lambda r: r["field_name"],
        lambda r: f"{r['field_name']} as “{r['display_name']}”{' (filterable)' if r['filterable'] else ''}",
        _sync_read,
        _sync_write,
    ),
    "advanced": Section(lambda r: r["setting"], _advanced_show, _advanced_read, _advanced_write),
}


def section_parse(section: str) -> tuple[Section, str]:
    name, _, arg = section.partition(":")
    return SECTIONS[name], arg


def section_label(section: str) -> str:
    """The section's place in the settings pages, as their tabs name it."""
    name, _, arg = section.partition(":")
    if name == "task":
        return f"Task Mappings · {ActivityKind(arg).label}" if arg in ActivityKind.values else f"Task Mappings · {arg}"
    if name == "creation":
        return f"{CreationObject(arg).label if arg in CreationObject.values else arg} Mappings · Creation Defaults"
    if name == "sync":
        return f"{arg} Mappings · Data Sync Mappings"
    return {
        "sequence": "Contact & Lead Mappings · Sequence Field Mappings",
        "opt_out": "Contact & Lead Mappings · SMS opt-out",
        "advanced": "Advanced Settings",
    }.get(name, section)


def section_of(row) -> str:
    """The section a settings row (or the CrmSettings row) belongs to."""
    if isinstance(row, TaskFieldMapping):
        return f"task:{row.activity_kind}"
    if isinstance(row, SequenceFieldMapping):
        return "sequence"
    if isinstance(row, CreationDefault):
        return f"creation:{row.sobject}"
    if isinstance(row, OptOutField):
        return "opt_out"
    if isinstance(row, SyncFieldMapping):
        return f"sync:{row.sobject}"
    if isinstance(row, CrmSettings):
        return "advanced"
    raise TypeError(f"{type(row).__name__} is not a CRM settings row.")


def section_snapshot(*, workspace, section: str) -> dict:
    spec, arg = section_parse(section)
    return {"rows": spec.read(workspace, arg)}


def section_restore(*, workspace, section: str, snapshot: dict) -> None:
    spec, arg = section_parse(section)
    spec.write(workspace, arg, list(snapshot.get("rows", [])))


def section_diff(*, section: str, before: dict, after: dict) -> list[str]:
    """Human lines: what was added, removed or changed between two snapshots of one section."""
    spec, _ = section_parse(section)
    old = {spec.key(r): r for r in before.get("rows", [])}
    new = {spec.key(r): r for r in after.get("rows", [])}
    lines = [f"Added {spec.show(new[k])}" for k in new if k not in old]
    lines += [f"Removed {spec.show(old[k])}" for k in old if k not in new]
    lines += [f"Changed {spec.show(old[k])} → {spec.show(new[k])}" for k in new if k in old and old[k] != new[k]]
    if not lines and [spec.key(r) for r in before.get("rows", [])] != [spec.key(r) for r in after.get("rows", [])]:
        lines.append("Reordered")
    return lines
