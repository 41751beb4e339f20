"""A dict-backed SchemaProvider for tests and the benchmark (the emulator has its own)."""

from __future__ import annotations

from collections.abc import Mapping

from .schema import FieldInfo


class StaticSchema:
    """`objects` maps sObject -> {field name: describe type}; `relationships` maps
    (sObject, relationship name) -> (target sObject, foreign-key field); `children` maps
    (parent sObject, child relationship name) -> (child sObject, foreign key). Lookups ignore case."""

    def __init__(
        self,
        objects: Mapping[str, Mapping[str, str]],
        relationships: Mapping[tuple[str, str], tuple[str, str]] | None = None,
        *,
        unfilterable: frozenset[tuple[str, str]] = frozenset(),
        children: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    ) -> None:
        self._objects = {name.lower(): name for name in objects}
        self._fields = {
            (obj.lower(), field.lower()): FieldInfo(
                field,
                ftype,
                filterable=(obj, field) not in unfilterable,
                sortable=(obj, field) not in unfilterable,
            )
            for obj, fields in objects.items()
            for field, ftype in fields.items()
        }
        self._relationships = {
            (obj.lower(), rel.lower()): target for (obj, rel), target in (relationships or {}).items()
        }

        # (parent sObject, child relationship name) -> (child sObject, foreign key on the child)
        self._children = {(obj.lower(), rel.lower()): (rel, *target) for (obj, rel), target in (children or {}).items()}

    def sobject(self, name: str) -> str | None:
        return self._objects.get(name.lower())

    def field(self, sobject: str, name: str) -> FieldInfo | None:
        return self._fields.get((sobject.lower(), name.lower()))

    def relationship(self, sobject: str, relationship_name: str) -> tuple[str, str] | None:
        return self._relationships.get((sobject.lower(), relationship_name.lower()))

    def child_relationship(self, sobject: str, name: str) -> tuple[str, str, str] | None:
        found = self._children.get((sobject.lower(), name.lower()))
        return None if found is None else (found[1], found[2], found[0])
