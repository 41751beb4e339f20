"""What the engine needs to know about an org: implemented by the emulator, consumed by the compiler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field as describe reports it.

    `filterable`/`sortable` default to True so a caller that only knows name and type works; set them
    False for long text areas so WHERE/ORDER BY fail the way Salesforce fails. `createable`,
    `updateable` (for the running user) and `custom` only feed the column metadata of
    `query?columns=true`.
    """

    name: str  # canonical API name, e.g. "Email"
    type: str  # describe type: id, reference, string, boolean, double, date, datetime, ...
    filterable: bool = True
    sortable: bool = True
    createable: bool = False
    updateable: bool = False
    custom: bool = False


class SchemaProvider(Protocol):
    def sobject(self, name: str) -> str | None:
        """Canonical sObject name for `name` (any case); None if unknown or not visible."""

    def field(self, sobject: str, name: str) -> FieldInfo | None:
        """Case-insensitive field lookup; None if missing or hidden by field-level security."""

    def relationship(self, sobject: str, relationship_name: str) -> tuple[str, str] | None:
        """("Contact", "account") -> ("Account", "AccountId"): target sObject and foreign key on `sobject`."""

    # Optional: a provider without it makes parent-to-child subqueries fail as unsupported.
    # def child_relationship(self, sobject: str, name: str) -> tuple[str, str, str] | None:
    #     ("Account", "contacts") -> ("Contact", "AccountId", "Contacts"): the child sObject, its foreign
    #     key to `sobject`, and the relationship name as describe's childRelationships spells it.


# Describe types grouped by how values compare. Text compares case-insensitively, ids case-sensitively
# (15-char ids are case-sensitive), the rest by value.
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox", "encryptedstring"})
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent", "long"})
BOOLEAN_TYPES = frozenset({"boolean"})
DATE_TYPES = frozenset({"date"})
DATETIME_TYPES = frozenset({"datetime"})
MULTIPICKLIST_TYPES = frozenset({"multipicklist"})
