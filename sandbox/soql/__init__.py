"""SOQL for the Salesforce sandbox: parse a query, check it against an org's schema, run it on rows.

Contract with the emulator (it owns storage, parent fetching, paging and HTTP):

    from sandbox.soql import parse, compile_query, SoqlError, FieldInfo

    query = parse(text)                               # syntax only; MalformedQuery on error
    plan = compile_query(text_or_query, schema, now=None, api_version="62.0")

`schema` implements `SchemaProvider` (schema.py): `sobject(name)`, `field(sobject, name)` ->
`FieldInfo | None`, `relationship(sobject, name)` -> `(target sobject, fk field) | None`.

Rows are plain dicts keyed by canonical field name, values as the REST API shows them (dates
"YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:MM:SS.000+0000", null = None or missing). `parents` maps a
relationship path in `plan.parent_paths` ("Account", "Account.Owner", up to five hops) to the parent
row, or None when the lookup is empty; `execute.Parents` resolves them lazily from a `Store`.
`plan.parent_lookups` lists the first-level relationships only.

Plan:
    sobject, is_count, is_aggregate, limit, offset, columns, field_paths, parent_lookups
    matches(row, parents) -> bool                   # WHERE, compiled once into closures
    sort(list[(row, parents)]) -> list              # ORDER BY (stable; nulls per Salesforce)
    sort_key(row, parents) -> tuple                 # alternative to sort() for sorted()
    window(list) -> list                            # OFFSET, then LIMIT
    project(row, parents) -> dict                   # REST query record, parents nested
    aggregate(list[(row, parents)]) -> list[dict]   # only when is_aggregate: GROUP BY, HAVING, ORDER BY,
                                                    # LIMIT over groups; AggregateResult records
    csv_header() -> list[str]; csv_values(row, parents) -> list[str]   # Bulk API 2.0 CSV
    validate_for_bulk()                             # MalformedQuery for COUNT()/aggregates/OFFSET

Typical REST flow: `pairs = execute.select(plan, store)`; if `plan.is_count`, answer
totalSize=len(pairs) (capped by LIMIT); if `plan.is_aggregate`, `plan.aggregate(pairs)`; otherwise
page `execute.project(plan, pairs[start:end], store)`.

Queries that need rows of other objects (semi-joins `Id IN (SELECT AccountId FROM Contact ...)` and
NOT IN, parent-to-child subqueries `(SELECT Id FROM Contacts)`) or parents beyond one hop run through
`execute.select(plan, store)`, which fills `plan.semi_joins` before the scan; `execute.project`
shapes a page of records, child subquery results included. Child relationship names come from the
provider's optional `child_relationship(sobject, name)`.

Errors are `SoqlError` subclasses carrying Salesforce's `error_code` and `message`:
MalformedQuery (MALFORMED_QUERY; NumberOutsideValidRange subclass for OFFSET > 2000),
InvalidField (INVALID_FIELD), InvalidType (INVALID_TYPE), InvalidQueryFilterOperator
(INVALID_QUERY_FILTER_OPERATOR, malformed Id literals). Unsupported SOQL (GROUP BY ROLLUP/CUBE,
TYPEOF, functions other than COUNT, COUNT_DISTINCT, SUM, AVG, MIN and MAX, paths deeper than five
parents, fiscal literals) is MalformedQuery.
"""

from __future__ import annotations

from .compiler import compile_query
from .errors import (
    InvalidField,
    InvalidQueryFilterOperator,
    InvalidType,
    MalformedQuery,
    NumberOutsideValidRange,
    SoqlError,
)
from .nodes import Query
from .parser import parse
from .plan import Plan
from .schema import FieldInfo, SchemaProvider

__all__ = [
    "FieldInfo",
    "InvalidField",
    "InvalidQueryFilterOperator",
    "InvalidType",
    "MalformedQuery",
    "NumberOutsideValidRange",
    "Plan",
    "Query",
    "SchemaProvider",
    "SoqlError",
    "compile_query",
    "parse",
]
