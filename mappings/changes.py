"""The history of CRM settings as a person reads it: field labels (not API names), values as the page shows them,
each row's before and after side by side, and who did it (Switchboard itself for what it applied on its own).

Reads only: the snapshots are `SettingsChange.before/after`; the labels come from the org's describes when known
(a field that has left the org keeps its API name, the only name left for it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from mappings.compat import field_lookup, fields_by_name
from mappings.layout import KIND_PLACE, OBJECT_PAGE_URLS
from mappings.sections import ADVANCED_LABELS, section_label, section_parse
from mappings.types import CREATION_VARIABLES, TASK_VARIABLES, SequencePurpose, ValueSource

STOCK_PREFIX = "Stock defaults"
"""How the summary of the settings Switchboard applied by itself begins (mappings.services.defaults)."""


class FieldLabels:
    """API name -> label, per object, from the describes at hand."""

    def __init__(self, describes: dict[str, dict | None]):
        self.fields = {sobject: fields_by_name(describe) for sobject, describe in describes.items() if describe}

    def __call__(self, sobject: str, name: str | None) -> str:
        if not name:
            return ""
        field = field_lookup(self.fields.get(sobject, {}), name)
        return str(field.get("label") or name) if field else name


@dataclass(frozen=True)
class RowChange:
    what: str
    before: str
    after: str
    kind: str
    """"added", "removed" or "changed"."""


@dataclass(frozen=True)
class ChangeView:
    change: object
    section: str
    url: str
    who: str
    by_system: bool
    rows: list[RowChange]
    reordered: bool


def _quoted(text: str) -> str:
    return f"“{text}”"


def mapping_value(row: dict, variables: dict) -> str:
    """A Task mapping or creation default as the page shows it: a fixed value, one of our variables, or text with
    variables; its "If unknown" value and value translations after it."""
    source, value = row.get("source"), row.get("value", "")
    if source == ValueSource.CONSTANT:
        text = _quoted(value)
    elif source == ValueSource.VARIABLE:
        variable = variables.get(value)
        text = f"{variable.label} (from our data)" if variable else value
    else:
        text = f"{_quoted(value)} (text with variables)"
    if row.get("fallback"):
        text += f", if unknown {_quoted(row['fallback'])}"
    translations = row.get("translations") or []
    if translations:
        text += "; translating " + ", ".join(f"{_quoted(t['ours'])} → {_quoted(t['theirs'])}" for t in translations)
    return text


def _advanced_value(row: dict, labels: FieldLabels) -> str:
    name, value = row["setting"], row["value"]
    _, choices = ADVANCED_LABELS.get(name, (name, None))
    if isinstance(value, bool):
        return "On" if value else "Off"
    if name.startswith("linkedin_url_field_"):
        return labels(name.rsplit("_", 1)[1].title(), value) or "None"
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return "None" if value in ("", None) else str(value)


def _row_text(name: str, arg: str, row: dict, labels: FieldLabels) -> tuple[str, str]:
    """(what the row sets, its value) for one snapshot row of a section."""
    if name == "task":
        return labels("Task", row["target_field"]), mapping_value(row, TASK_VARIABLES)
    if name == "creation":
        return labels(arg, row["target_field"]), mapping_value(row, CREATION_VARIABLES)
    if name == "sequence":
        purpose = SequencePurpose(row["purpose"]).label if row["purpose"] in SequencePurpose.values else row["purpose"]
        return f"{row['sobject']} · {purpose}", labels(row["sobject"], row["target_field"])
    if name == "opt_out":
        return f"{row['sobject']} SMS opt-out checkbox", labels(row["sobject"], row["target_field"]) or "None"
    if name == "sync":
        shown = f"Synced as {_quoted(row['display_name'])}" + (", filterable" if row.get("filterable") else "")
        return labels(arg, row["field_name"]), shown
    if name == "advanced":
        return str(ADVANCED_LABELS.get(row["setting"], (row["setting"], None))[0]), _advanced_value(row, labels)
    return str(row), ""


NOT_SET = {"task": "Not mapped", "creation": "No default", "sequence": "Not mapped", "sync": "Not synced"}


def section_changes(*, section: str, before: dict, after: dict, labels: FieldLabels) -> tuple[list[RowChange], bool]:
    """Each row added, removed or changed, before and after side by side; and whether only the order changed."""
    spec, arg = section_parse(section)
    name = section.partition(":")[0]
    old = {spec.key(r): r for r in before.get("rows", [])}
    new = {spec.key(r): r for r in after.get("rows", [])}
    unset = NOT_SET.get(name, "Not set")
    rows = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new and old[key] == new[key]:
            continue
        what, was = _row_text(name, arg, old[key], labels) if key in old else (None, unset)
        what_now, now = _row_text(name, arg, new[key], labels) if key in new else (None, unset)
        kind = "changed" if key in old and key in new else ("removed" if key in old else "added")
        rows.append(RowChange(what=what or what_now, before=was, after=now, kind=kind))
    reordered = not rows and [spec.key(r) for r in before.get("rows", [])] != [
        spec.key(r) for r in after.get("rows", [])
    ]
    return rows, reordered


def section_url(workspace, section: str) -> str:
    """The page where `section` is edited."""
    name, _, arg = section.partition(":")
    slug = workspace.slug
    if name == "task" and arg in KIND_PLACE:
        group, anchor = KIND_PLACE[arg]
        return reverse("crm_task_mappings", kwargs={"workspace_slug": slug, "kind": group}) + f"#{anchor}"
    page = {"creation": "defaults", "sync": "sync", "sequence": "sequence", "opt_out": "sms"}.get(name)
    if page:
        obj = (arg or "Contact").lower()
        return reverse(OBJECT_PAGE_URLS[page], kwargs={"workspace_slug": slug, "obj": obj})
    return reverse("crm_advanced", kwargs={"workspace_slug": slug}) if name == "advanced" else ""


def change_view(change, *, workspace, labels: FieldLabels) -> ChangeView:
    by_system = change.actor_id is None or change.summary.startswith(STOCK_PREFIX)
    if change.summary.startswith(STOCK_PREFIX):
        who = "Switchboard (stock defaults)"
    elif change.actor is None:
        who = "Switchboard"
    else:
        name = getattr(change.actor, "full_name", "")
        who = f"{name} ({change.actor.email})" if name else change.actor.email
    rows, reordered = section_changes(section=change.section, before=change.before, after=change.after, labels=labels)
    return ChangeView(
        change=change,
        section=section_label(change.section),
        url=section_url(workspace, change.section),
        who=who,
        by_system=by_system,
        rows=rows,
        reordered=reordered,
    )
