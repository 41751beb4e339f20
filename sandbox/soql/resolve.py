"""Name resolution: typed field paths -> canonical fields via the SchemaProvider."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidField, MalformedQuery, located
from .nodes import FieldPath
from .schema import FieldInfo, SchemaProvider

MAX_PARENT_LEVELS = 5  # Salesforce: child-to-parent paths may follow at most five relationships


@dataclass(frozen=True, slots=True)
class ResolvedField:
    # Canonical relationship path, dotted ("Account" or "Account.Owner"); None for a field on the queried
    # object. It is also the key of the parent row in `parents`.
    relationship: str | None
    sobject: str  # object that owns the field
    info: FieldInfo

    @property
    def relationships(self) -> tuple[str, ...]:
        return tuple(self.relationship.split(".")) if self.relationship else ()

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.relationships, self.info.name)

    @property
    def label(self) -> str:
        return ".".join(self.path)


def _no_such_column(name: str, sobject: str) -> str:
    return (
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call for "
        "the appropriate names."
    )


def _canonical_relationship(typed: str, fk: str) -> str:
    """The protocol gives us the foreign key, not the relationship's own spelling; derive it with
    Salesforce's naming rule (AccountId -> Account, Foo__c -> Foo__r) and fall back to what was typed."""
    for candidate in (fk[:-2] if fk.endswith("Id") else None, fk[:-3] + "__r" if fk.endswith("__c") else None):
        if candidate and candidate.lower() == typed.lower():
            return candidate
    return typed


class Resolver:
    def __init__(self, text: str, sobject: str, schema: SchemaProvider) -> None:
        self.text = text
        self.sobject = sobject
        self.schema = schema
        # First-level relationships only: (target sObject, foreign key on the queried row).
        self.parent_lookups: dict[str, tuple[str, str]] = {}
        # Every relationship path: (target sObject, foreign key, path of the row holding that key or None).
        self.parent_paths: dict[str, tuple[str, str, str | None]] = {}

    def resolve(self, path: FieldPath) -> ResolvedField:
        parts = path.parts
        if len(parts) > 1 and parts[0].lower() == self.sobject.lower() and not self._is_relationship(parts[0]):
            # "SELECT Contact.Email FROM Contact": Salesforce accepts the object name as a prefix.
            parts, offset = parts[1:], len(parts[0]) + 1
        else:
            offset = 0
        if len(parts) == 1:
            return ResolvedField(None, self.sobject, self._field(self.sobject, parts[0], path.pos + offset))
        if len(parts) - 1 > MAX_PARENT_LEVELS:
            detail = (
                f"A field path can follow at most {MAX_PARENT_LEVELS} parent relationships, "
                f"found {len(parts) - 1}: {path.dotted}"
            )
            raise MalformedQuery(located(self.text, path.pos, detail))
        current, holder, pos = self.sobject, None, path.pos + offset
        canonical: list[str] = []
        for rel_name in parts[:-1]:
            target = self.schema.relationship(current, rel_name)
            if target is None:
                raise InvalidField(
                    located(
                        self.text,
                        pos,
                        f"Didn't understand relationship '{rel_name}' in field path. If you are attempting to use a "
                        "custom relationship, be sure to append the '__r' after the custom relationship name. Please "
                        "reference your WSDL or the describe call for the appropriate names.",
                    )
                )
            target_sobject, fk = target
            canonical.append(_canonical_relationship(rel_name, fk))
            key = ".".join(canonical)
            self.parent_paths[key] = (target_sobject, fk, holder)
            if holder is None:
                self.parent_lookups[key] = (target_sobject, fk)
            current, holder, pos = target_sobject, key, pos + len(rel_name) + 1
        info = self._field(current, parts[-1], pos)
        return ResolvedField(holder, current, info)

    def _is_relationship(self, name: str) -> bool:
        return self.schema.relationship(self.sobject, name) is not None

    def _field(self, sobject: str, name: str, pos: int) -> FieldInfo:
        info = self.schema.field(sobject, name)
        if info is None:
            raise InvalidField(located(self.text, pos, _no_such_column(name, sobject)))
        return info
