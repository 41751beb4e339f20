"""What a Salesforce org needs for Switchboard: the recommended custom fields and object access.

Pure data; `integrations.services.checklist` compares it with describe results. The Task Type values needed come
from the workspace's Task mappings (`mappings.selectors.task_type_values_needed`).
"""

from __future__ import annotations

from dataclasses import dataclass

CHECKLIST_OBJECTS = ("Lead", "Contact", "Task", "Account")


@dataclass(frozen=True)
class FieldSpec:
    sobject: str
    name: str
    """API name without the prefix, e.g. `activeinsequence__c`."""
    kind: str
    """"checkbox", "text", "url", "phone" or "user_lookup"."""
    length: int = 0
    write: str = "updateable"
    """The describe flag our writes need: Lead/Contact fields are updated, Task fields set on create."""

    def api_name(self, prefix: str) -> str:
        return f"{prefix}{self.name}"

    @property
    def type_label(self) -> str:
        return {
            "checkbox": "Checkbox",
            "text": f"Text({self.length})",
            "url": "URL",
            "phone": "Phone",
            "user_lookup": "Lookup(User)",
        }[self.kind]


def _sequence_fields(sobject: str) -> list[FieldSpec]:
    return [
        FieldSpec(sobject, "activeinsequence__c", "checkbox"),
        FieldSpec(sobject, "currentsequencestatus__c", "text", 255),
        FieldSpec(sobject, "currentsequencename__c", "text", 255),
        FieldSpec(sobject, "currentsequencestep__c", "text", 255),
        FieldSpec(sobject, "sequencedby__c", "user_lookup"),
    ]


RECOMMENDED_FIELDS: tuple[FieldSpec, ...] = (
    *_sequence_fields("Lead"),
    *_sequence_fields("Contact"),
    FieldSpec("Task", "sequencename__c", "text", 255, write="createable"),
    FieldSpec("Task", "sequencestepname__c", "text", 64, write="createable"),
    FieldSpec("Task", "recordingurl__c", "url", write="createable"),
    FieldSpec("Task", "callresult__c", "text", 255, write="createable"),
    FieldSpec("Task", "numberdialed__c", "phone", write="createable"),
)

OBJECT_NEEDS = {
    "Lead": ("queryable", "createable", "updateable"),
    "Contact": ("queryable", "createable", "updateable"),
    "Task": ("queryable", "createable"),
    "Account": ("queryable",),
}
"""Object-level describe flags our features rely on (find-or-create prospects, write Tasks, read Accounts)."""


def type_problem(spec: FieldSpec, field: dict) -> str:
    """Why `field` (a describe field dict) cannot hold what `spec` needs; "" when it can."""
    ftype = field.get("type")
    if spec.kind == "checkbox" and ftype != "boolean":
        return f"is {ftype}, needs Checkbox"
    if spec.kind == "text":
        if ftype not in ("string", "textarea"):
            return f"is {ftype}, needs {spec.type_label}"
        if (field.get("length") or 0) < spec.length:
            return f"is Text({field.get('length')}), needs at least {spec.type_label}"
    if spec.kind == "url" and ftype != "url":
        return f"is {ftype}, needs URL"
    if spec.kind == "phone" and ftype != "phone":
        return f"is {ftype}, needs Phone"
    if spec.kind == "user_lookup" and (ftype != "reference" or "User" not in (field.get("referenceTo") or [])):
        targets = ", ".join(field.get("referenceTo") or []) or "nothing"
        return f"is {ftype} to {targets}, needs Lookup(User)"
    return ""
