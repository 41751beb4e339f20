from __future__ import annotations

from django import forms

from mappings.compat import fields_by_name, required_on_create
from mappings.forms.rows import MappingFormSet, MappingRowForm, mapping_targets
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


def task_mapping_formset(
    data=None, *, kind: str, task_describe: dict | None, mappings: list[TaskFieldMapping], readonly: bool
) -> TaskMappingFormSet:
    targets = task_targets(task_describe)
    formset = TaskMappingFormSet(
        data,
        prefix=f"task-{kind}",
        initial=mapping_initial(mappings),
        form_kwargs={
            "sf_fields": fields_by_name(task_describe) if task_describe is not None else None,
            "targets": targets,
            "variables": TASK_VARIABLES,
            "reserved": TASK_RESERVED_FIELDS,
            "readonly": readonly,
        },
    )
    formset.required_fields = [f for f in required_on_create(task_describe) if f["name"] not in TASK_RESERVED_FIELDS]
    if readonly:
        formset.extra = 0
    return formset


def rows_as_mappings(*, workspace, kind: str, rows: list[dict]) -> list[TaskFieldMapping]:
    """Unsaved mapping objects for a preview of an edit in progress."""
    return [TaskFieldMapping(workspace=workspace, activity_kind=kind, position=i, **row) for i, row in enumerate(rows)]
