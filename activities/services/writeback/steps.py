"""Batched writes: steps of records sent through sObject Collections, packed into Composite calls.

A record may point at a record of an earlier step with `Ref(step, index)` (a new Contact's AccountId, a Task's
WhoId). Within one Composite call a Ref becomes `@{ref[i].id}`; across calls it becomes the id already returned.
Records whose target failed are not sent. One result per record comes back, keyed `(step name, index)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from activities.services.writeback.recorder import CallRecord, RecordingClient, secrets_strip
from integrations.errors import IntegrationError
from integrations.providers.salesforce.client import COLLECTION_LIMIT

COMPOSITE_HEAVY_LIMIT = 5
"""Query or Collections subrequests per Composite call."""
DEPENDENCY_FAILED = "DEPENDENCY_FAILED"
NOT_SENT = "NOT_SENT"


@dataclass(frozen=True)
class Ref:
    step: str
    index: int


@dataclass
class Step:
    name: str
    op: str
    """create | update | upsert"""
    records: list[dict] = field(default_factory=list)
    sobject: str = ""
    ext_field: str = ""
    notes: dict[int, list[str]] = field(default_factory=dict)
    """Per record index: what building the record left out or changed (payload warnings), for its attempt row."""

    def add(self, record: dict, *, notes: list[str] | None = None) -> Ref:
        self.records.append(record)
        if notes:
            self.notes[len(self.records) - 1] = list(notes)
        return Ref(self.name, len(self.records) - 1)

    def sobject_of(self, index: int) -> str:
        return self.records[index].get("_type") or self.sobject


@dataclass
class ItemResult:
    ok: bool
    id: str = ""
    code: str = ""
    message: str = ""
    fields: list[str] = field(default_factory=list)
    created: bool | None = None
    call: CallRecord | None = None
    error: IntegrationError | None = None
    """Set when the whole call failed (transport, throttling, auth)."""
    deferred: bool = False
    """Not written because a sibling in the same Composite call failed; try again soon."""
    excerpt: str = ""
    warnings: list[str] = field(default_factory=list)
    """The record's payload warnings (fields left out, values cut), shown on the job's attempt row."""


@dataclass
class _Chunk:
    step: Step
    start: int
    indexes: list[int]
    ref_id: str


def _refs_in(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs_in(v)]
    return []


def _chunks(steps: list[Step]) -> list[_Chunk]:
    chunks = []
    for step in steps:
        for n, start in enumerate(range(0, len(step.records), COLLECTION_LIMIT)):
            indexes = list(range(start, min(start + COLLECTION_LIMIT, len(step.records))))
            chunks.append(_Chunk(step, start, indexes, f"{step.name}_{n}"))
    return chunks


def _request(chunk: _Chunk, records: list[dict], version: str) -> tuple[str, str]:
    base = f"/services/data/v{version}/composite/sobjects"
    if chunk.step.op == "create":
        return "POST", base
    if chunk.step.op == "update":
        return "PATCH", base
    return "PATCH", f"{base}/{chunk.step.sobject}/{chunk.step.ext_field}"


def steps_execute(client: RecordingClient, steps: list[Step]) -> dict[tuple[str, int], ItemResult]:
    """Write every step's records in as few calls as the limits allow; one ItemResult per record."""
    steps = [s for s in steps if s.records]
    results: dict[tuple[str, int], ItemResult] = {}
    chunks = _chunks(steps)
    location: dict[tuple[str, int], tuple[_Chunk, int]] = {}
    for chunk in chunks:
        for pos, index in enumerate(chunk.indexes):
            location[(chunk.step.name, index)] = (chunk, pos)
    groups = [chunks[i : i + COMPOSITE_HEAVY_LIMIT] for i in range(0, len(chunks), COMPOSITE_HEAVY_LIMIT)]
    failure: IntegrationError | None = None
    for group in groups:
        if failure is not None:
            for chunk in group:
                for index in chunk.indexes:
                    results[(chunk.step.name, index)] = ItemResult(False, code=failure.code, message=failure.message,
                                                                  error=failure)  # fmt: skip
            continue
        in_group = {id(c) for c in group}
        payloads: list[tuple[_Chunk, list[int], list[dict]]] = []
        for chunk in group:
            sendable, records = [], []
            for index in chunk.indexes:
                record, problem = _resolve(chunk.step.records[index], results, location, in_group)
                if problem is not None:
                    results[(chunk.step.name, index)] = problem
                    continue
                sendable.append(index)
                records.append(record)
            if sendable:
                payloads.append((chunk, sendable, records))
        if not payloads:
            continue
        try:
            if len(payloads) == 1:
                _send_single(client, payloads[0], results)
            else:
                _send_composite(client, payloads, results)
                _blame_halted(payloads, results)
        except IntegrationError as exc:
            failure = exc
            call = client.last_call
            for chunk, sendable, _ in payloads:
                for index in sendable:
                    excerpt = call.excerpt if call else ""
                    results[(chunk.step.name, index)] = ItemResult(
                        False, code=exc.code, message=exc.message, error=exc, call=call, excerpt=excerpt
                    )
    for step in steps:
        for index, notes in step.notes.items():
            key = (step.name, index)
            if key in results:
                results[key] = replace(results[key], warnings=[*notes, *results[key].warnings])
    return results


def _blame_halted(payloads, results) -> None:
    """A subrequest halted by a failed reference: its records fail with the reason when the record they point at
    failed for good; the others (collateral) are deferred."""
    for chunk, sendable, _records in payloads:
        for index in sendable:
            key = (chunk.step.name, index)
            if not results[key].deferred:
                continue
            for ref in _refs_in(chunk.step.records[index]):
                target = results.get((ref.step, ref.index))
                if target is not None and not target.ok and not target.deferred and target.error is None:
                    results[key] = ItemResult(False, code=DEPENDENCY_FAILED, message=target.message or target.code,
                                              call=results[key].call)  # fmt: skip
                    break


def _resolve(record: dict, results, location, in_group) -> tuple[dict, ItemResult | None]:
    out = dict(record)
    for name, value in record.items():
        if not isinstance(value, Ref):
            continue
        key = (value.step, value.index)
        done = results.get(key)
        if done is not None:
            if not done.ok:
                reason = done.message or done.code
                return out, ItemResult(False, code=DEPENDENCY_FAILED, message=reason, deferred=done.deferred or
                                       bool(done.error))  # fmt: skip
            out[name] = done.id
            continue
        chunk, pos = location[key]
        if id(chunk) not in in_group:
            return out, ItemResult(False, code=NOT_SENT, message="An earlier record was not written.", deferred=True)
        out[name] = f"@{{{chunk.ref_id}[{pos}].id}}"
    return out, None


def _collection_body(chunk: _Chunk, records: list[dict]) -> dict:
    typed = []
    for record in records:
        record = dict(record)
        sobject = record.pop("_type", None) or chunk.step.sobject
        typed.append({"attributes": {"type": sobject}, **record})
    return {"allOrNone": False, "records": typed}


def _settle(chunk: _Chunk, sendable: list[int], body: Any, status: int, call, results) -> None:
    per_record = isinstance(body, list) and len(body) == len(sendable)
    if per_record and all(isinstance(b, dict) and "success" in b for b in body):
        for index, item in zip(sendable, body, strict=True):
            results[(chunk.step.name, index)] = _item(item, call)
        return
    code, message = "", ""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        code, message = body[0].get("errorCode", ""), body[0].get("message", "")
    excerpt = secrets_strip(json.dumps(body) if not isinstance(body, str) else body)
    halted = code == "PROCESSING_HALTED"
    for index in sendable:
        results[(chunk.step.name, index)] = ItemResult(
            False, code=code or f"HTTP_{status}", message=message, call=call, deferred=halted, excerpt=excerpt
        )


def _item(item: dict, call) -> ItemResult:
    excerpt = secrets_strip(json.dumps(item), limit=500)
    if item.get("success"):
        return ItemResult(True, id=item.get("id") or "", created=item.get("created"), call=call, excerpt=excerpt)
    errors = item.get("errors") or [{}]
    first = errors[0]
    return ItemResult(
        False,
        id=item.get("id") or "",
        code=first.get("statusCode") or first.get("errorCode") or "UNKNOWN",
        message=first.get("message", ""),
        fields=list(first.get("fields") or []),
        call=call,
        excerpt=excerpt,
    )


def _send_single(client: RecordingClient, payload, results) -> None:
    chunk, sendable, records = payload
    method, path = _request(chunk, records, client.api_version)
    path = path.split(f"/v{client.api_version}", 1)[1]
    body = client.request_json(method, path, json=_collection_body(chunk, records))
    _settle(chunk, sendable, body, 200, client.last_call, results)


def _send_composite(client: RecordingClient, payloads, results) -> None:
    subrequests = []
    for chunk, _sendable, records in payloads:
        method, url = _request(chunk, records, client.api_version)
        subrequests.append({"method": method, "url": url, "referenceId": chunk.ref_id,
                            "body": _collection_body(chunk, records)})  # fmt: skip
    responses = client.composite(subrequests)
    call = client.last_call
    by_ref = {r.get("referenceId"): r for r in responses}
    for chunk, sendable, _records in payloads:
        response = by_ref.get(chunk.ref_id) or {}
        _settle(chunk, sendable, response.get("body"), response.get("httpStatusCode", 0), call, results)
