from __future__ import annotations

from django import forms

from mappings.compat import fields_by_name, required_on_create
from mappings.forms.rows import MappingFormSet, MappingRowForm, mapping_targets
from mappings.forms.translations import (
    translation_formset,
    translation_initial,
    translation_targets,
    translations_attach,
)
from mappings.models import TaskFieldMapping
from mappings.payloads import TASK_RESERVED_FIELDS
from mappings.types import TASK_VARIABLES, ValueSource

TaskMappingFormSetBase = forms.formset_factory(MappingRowForm, formset=MappingFormSet, extra=1, can_delete=True)


class TaskMappingFormSet(TaskMappingFormSetBase):
    object_label = "Task"


def task_targets(task_describe: dict | None) -> list[dict]:
    """Task fields a mapping may target: writable for the connected user and not set by us."""
    return mapping_targets(task_describe, variables=TASK_VARIABLES, exclude=TASK_RESERVED_FIELDS)


def mapping_initial(mappings) -> list[dict]:
    return [
        {
            "target_field": m.target_field,
            "source": m.source,
            "variable": m.value if m.source == ValueSource.VARIABLE else "",
            "constant": m.value if m.source == ValueSource.CONSTANT else "",
            "template": m.value if m.source == ValueSource.TEMPLATE else "",
            **({"fallback": m.fallback} if hasattr(m, "fallback") else {}),
        }
        for m in mappings
    ]


def _posted_rows(data, prefix: str, keys: tuple[str, ...]) -> list[dict]:
    """A formset's rows as posted, before validation, leaving out rows marked for removal."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
    except (TypeError, ValueError):
        return []
    rows = []
    for index in range(total):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        rows.append({key: str(data.get(f"{prefix}-{index}-{key}") or "").strip() for key in keys})
    return rows


class TaskSectionForms:
    """A Task mapping section's two formsets: the mapping rows and the value translations of the fields they fill
    from our data. Translations are read first, as a field they cover may take our text although it is a
    restricted picklist."""

    def __init__(self, data=None, *, kind: str, task_describe: dict | None, mappings, readonly: bool):
        targets = task_targets(task_describe)
        sf_fields = fields_by_name(task_describe) if task_describe is not None else None
        prefix = f"task-{kind}"
        if data is not None:
            shown = [{"target_field": r["target_field"], "source": r["source"]}
                     for r in _posted_rows(data, prefix, ("target_field", "source"))]  # fmt: skip
        else:
            shown = [{"target_field": m.target_field, "source": m.source} for m in mappings]
        # A form without the translations (posted by a page from before they existed, or a script) keeps the saved.
        self.translations_posted = data is not None and f"{prefix}-tr-TOTAL_FORMS" in data
        self.saved_translations = translation_initial(mappings)
        self.translations = translation_formset(
            data if self.translations_posted else None,
            prefix=f"{prefix}-tr",
            sf_fields=sf_fields,
            offered=translation_targets(shown, targets),
            mappings=mappings,
            readonly=readonly,
        )
        translated = (
            {r["target_field"].lower() for r in _posted_rows(data, f"{prefix}-tr", ("target_field",))}
            if self.translations_posted
            else {t["target_field"].lower() for t in self.saved_translations}
        )
        self.mappings = TaskMappingFormSet(
            data,
            prefix=prefix,
            initial=mapping_initial(mappings),
            form_kwargs={
                "sf_fields": sf_fields,
                "targets": targets,
                "variables": TASK_VARIABLES,
                "reserved": TASK_RESERVED_FIELDS,
                "readonly": readonly,
                "translatable": True,
                "translated": frozenset(translated - {""}),
            },
        )
        self.mappings.required_fields = [
            f for f in required_on_create(task_describe) if f["name"] not in TASK_RESERVED_FIELDS
        ]
        if readonly:
            self.mappings.extra = 0

    def _mapped_from_data(self, rows: list[dict]) -> None:
        self.translations.mapped = {
            r["target_field"].lower(): r["target_field"] for r in rows if r["source"] == ValueSource.VARIABLE
        }

    def is_valid(self) -> bool:
        mappings_valid = self.mappings.is_valid()
        if not self.translations_posted:
            return mappings_valid
        self._mapped_from_data(self.mappings.valid_rows())
        return self.translations.is_valid() and mappings_valid

    def _translation_rows(self, *, valid_only: bool) -> list[dict]:
        if not self.translations_posted:
            return self.saved_translations
        return self.translations.valid_rows() if valid_only else self.translations.rows()

    def rows(self) -> list[dict]:
        """The rows to save, each mapping from our data with its translations."""
        return translations_attach(self.mappings.rows(), self._translation_rows(valid_only=False))

    def valid_rows(self) -> list[dict]:
        """Rows that validate on their own, with the translations that do (for previews of a half-finished edit)."""
        self.is_valid()
        return translations_attach(self.mappings.valid_rows(), self._translation_rows(valid_only=True))


def task_mapping_formset(
    data=None, *, kind: str, task_describe: dict | None, mappings: list[TaskFieldMapping], readonly: bool
) -> TaskMappingFormSet:
    """The mapping rows alone (their section's translations as saved)."""
    return TaskSectionForms(data, kind=kind, task_describe=task_describe, mappings=mappings, readonly=readonly).mappings


def rows_as_mappings(*, workspace, kind: str, rows: list[dict]) -> list[TaskFieldMapping]:
    """Unsaved mapping objects for a preview of an edit in progress, each carrying its translations."""
    result = []
    for i, row in enumerate(rows):
        mapping = TaskFieldMapping(
            workspace=workspace,
            activity_kind=kind,
            position=i,
            **{key: value for key, value in row.items() if key != "translations"},
        )
        mapping.pending_translations = row.get("translations") or []
        result.append(mapping)
    return result
