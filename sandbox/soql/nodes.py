"""Syntax tree produced by `parse`. Positions are character offsets into `Query.text` (for carets)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldPath:
    parts: tuple[str, ...]  # as typed: ("Account", "Name")
    pos: int
    alias: str | None = None  # SELECT only, and only in aggregate queries: `SELECT Name n ... GROUP BY Name`
    alias_pos: int = 0

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An aggregate function: in SELECT (with an optional alias), HAVING or ORDER BY."""

    field: FieldPath | None  # None for COUNT()
    alias: str | None
    pos: int
    func: str = "COUNT"  # COUNT COUNT_DISTINCT SUM AVG MIN MAX

    @property
    def text(self) -> str:
        return f"{self.func}({self.field.dotted if self.field else ''})"


CountItem = Aggregate  # the name from when COUNT was the only function


@dataclass(frozen=True, slots=True)
class ChildQuery:
    """A parent-to-child relationship subquery in SELECT: `(SELECT Id FROM Contacts)`; the inner
    query's `sobject` is the child relationship name."""

    query: Query
    pos: int


SelectItem = FieldPath | Aggregate | ChildQuery


@dataclass(frozen=True, slots=True)
class Literal:
    """A WHERE value.

    kind / value:
      string       -> decoded str
      like         -> regex source (LIKE escapes need the raw text, so the parser decodes in context)
      number       -> int | float
      boolean      -> bool
      null         -> None
      date         -> "YYYY-MM-DD"
      datetime     -> UTC "YYYY-MM-DDTHH:MM:SS.fff+0000" (the emulator's stored form)
      date_literal -> (NAME, n | None), e.g. ("LAST_N_DAYS", 7)
    """

    kind: str
    value: object
    pos: int


@dataclass(frozen=True, slots=True)
class SemiJoin:
    """`IN (SELECT ...)` / `NOT IN (SELECT ...)`: the ids one field of another query returns."""

    query: Query
    pos: int


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldPath | Aggregate  # an Aggregate only in HAVING
    op: str  # = != < > <= >= LIKE IN NOT IN INCLUDES EXCLUDES ("<>" is folded into "!=")
    value: Literal | tuple[Literal, ...] | SemiJoin
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition
    pos: int


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Condition, ...]


Condition = Comparison | Not | And | Or


@dataclass(frozen=True, slots=True)
class OrderItem:
    field: FieldPath | Aggregate  # an Aggregate only in aggregate queries
    descending: bool
    nulls_first: bool | None  # None = Salesforce default (ASC -> first, DESC -> last)
    pos: int


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    select: tuple[SelectItem, ...]
    sobject: str
    sobject_pos: int
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    offset_pos: int
    group_by: tuple[FieldPath, ...] = ()
    having: Condition | None = None
