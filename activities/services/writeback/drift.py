"""Schema drift at write time: Salesforce refused a field our cached describe still listed.

A mapped field deleted in Setup, or hidden from (or made read-only for) the rep by field-level security, makes
Salesforce answer INVALID_FIELD / INVALID_FIELD_FOR_INSERT_UPDATE for every record carrying it. Failing those jobs
for good would fail every touch of every rep until an admin noticed, so the run refreshes the describe of each
object concerned (once per run) and, when the fresh describe shows that a field of a refused record is gone or no
longer writable, sends that record again at once without it. The resend belongs to the same attempt (it is not a
backoff attempt) and happens once per run, so it cannot loop. Records that pointed at a refused one (a Task at a
new Contact) go with it. When the fresh describe still has every field, the refusal stays a permanent failure.

The Task External ID field is a case of its own: when it is deleted, Salesforce refuses the whole upsert (404
NOT_FOUND naming the field). If the fresh describe confirms it is gone, the Tasks are created instead, keyed by the
Description marker every Task carries, as in orgs that never had an External ID.
"""

from __future__ import annotations

import logging

from activities.services.writeback.context import BatchContext
from activities.services.writeback.steps import DEPENDENCY_FAILED, NOT_SENT, ItemResult, Ref, Step, steps_execute
from integrations.errors import FailWithReason
from mappings.compat import drift_reason, field_lookup, fields_by_name
from mappings.payloads import GONE, NOT_WRITABLE, field_skipped

logger = logging.getLogger(__name__)

DRIFT_CODES = frozenset({"INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE"})
KEY_CODES = frozenset({"NOT_FOUND", "INVALID_FIELD"})
"""How Salesforce refuses an upsert whose External ID field does not exist (or is hidden from the user)."""
NOT_FIELDS = frozenset({"_type", "id"})
"""Record keys that are not fields: the sObject type (Collections `attributes`) and the id of an update."""
Key = tuple[str, int]


def drift_resend(ctx: BatchContext, steps: list[Step], results: dict[Key, ItemResult]) -> dict[Key, ItemResult]:
    """`results` with the records refused over drifted fields written again without them (where that helps)."""
    refused = [
        (step, i)
        for step in steps
        for i in range(len(step.records))
        if _refused(results.get((step.name, i))) or key_refused(results.get((step.name, i)), step.ext_field)
    ]
    if not refused:
        return results
    fresh: dict[str, tuple[dict | None, Exception | None]] = {}
    for sobject in sorted({step.sobject_of(i) for step, i in refused} - ctx.refreshed):
        result = ctx.describe_refresh(sobject)
        fresh[sobject] = (result.payload if result.error is None else None, result.error)

    resend: dict[Key, tuple[dict, list[str]]] = {}
    rekeyed: set[str] = set()
    waiting: set[Key] = set()
    for step, i in refused:
        key = (step.name, i)
        payload, error = fresh.get(step.sobject_of(i), (None, None))
        if error is not None and not isinstance(error, FailWithReason):
            # The refresh could not be made (throttled, reconnect needed): the record goes again with the job.
            results[key] = ItemResult(False, code=error.code, message=error.message, error=error,
                                      warnings=results[key].warnings)  # fmt: skip
            waiting.add(key)
            continue
        if payload is None:
            continue
        record, notes = _without_drifted(step, i, payload)
        if notes:
            resend[key] = (record, notes)
            if step.ext_field and step.ext_field not in record:
                rekeyed.add(step.name)
    _defer_followers(steps, results, waiting)
    if not resend:
        return results
    codes = sorted({results[key].code for key in resend})
    logger.info("writeback.drift_resend", extra={"records": len(resend), "codes": codes})
    return _resend(ctx, steps, results, resend, codes, rekeyed)


def _defer_followers(steps: list[Step], results: dict[Key, ItemResult], waiting: set[Key]) -> None:
    """Records that failed only because they pointed at a record now waiting to go again wait with it."""
    for step in steps:
        for i, record in enumerate(step.records):
            key = (step.name, i)
            if (
                key in results
                and results[key].code == DEPENDENCY_FAILED
                and any((ref.step, ref.index) in waiting for ref in _refs(record))
            ):
                results[key] = ItemResult(False, code=NOT_SENT, message="An earlier record was not written.",
                                          deferred=True, warnings=results[key].warnings)  # fmt: skip
                waiting.add(key)


def _refs(record: dict) -> list[Ref]:
    return [v for v in record.values() if isinstance(v, Ref)]


def _refused(result: ItemResult | None) -> bool:
    return result is not None and not result.ok and result.error is None and result.code in DRIFT_CODES


def key_refused(result: ItemResult | None, ext_field: str = "") -> bool:
    """An upsert refused because its External ID field is not there (`ext_field`, or any when not given)."""
    if result is None or result.ok or result.code not in KEY_CODES:
        return False
    message = (result.message or "").lower()
    return ext_field.lower() in message if ext_field else "external id" in message


def _without_drifted(step: Step, index: int, describe: dict) -> tuple[dict, list[str]]:
    """The record minus the fields the fresh describe no longer lets this user write, and why each went."""
    record = step.records[index]
    fields = fields_by_name(describe)
    update, sobject = step.op == "update", step.sobject_of(index)
    kept, notes = {}, []
    for name, value in record.items():
        found = None if name in NOT_FIELDS else field_lookup(fields, name)
        why = None if name in NOT_FIELDS else drift_reason(found, update=update)
        if why is None:
            kept[name] = value
            continue
        if name == step.ext_field:
            # The upsert key itself: the record is created instead, found again by its Description marker.
            why += " The Task External ID is gone, so the Task was created with its Description marker as the key."
        notes.append(field_skipped(name, why, reason=GONE if found is None else NOT_WRITABLE, sobject=sobject))
    return kept, notes


def _resend(ctx, steps, results, resend, codes, rekeyed) -> dict[Key, ItemResult]:
    """Send the fixed records, and the records that failed only because they pointed at one, in one more go.
    Steps in `rekeyed` lost their External ID field: their records are created."""
    again = [
        Step(s.name, "create", sobject=s.sobject) if s.name in rekeyed
        else Step(s.name, s.op, sobject=s.sobject, ext_field=s.ext_field)
        for s in steps
    ]  # fmt: skip
    where: dict[Key, Ref] = {}
    header = f"Salesforce answered {'/'.join(codes)}; the field metadata was refreshed and the record written again:"
    for step, retry in zip(steps, again, strict=True):
        for i, record in enumerate(step.records):
            key = (step.name, i)
            notes = step.notes.get(i, [])
            if key in resend:
                record, dropped = resend[key]
                notes = [*notes, header, *dropped]
            elif key not in results or results[key].ok or results[key].code not in (DEPENDENCY_FAILED, NOT_SENT):
                continue
            pointed, follows = _repoint(record, results, where)
            if pointed is not None and (key in resend or follows):
                if step.name in rekeyed:
                    pointed.pop(step.ext_field, None)  # a follower still carries the key that is gone
                where[key] = retry.add(pointed, notes=notes)
    fresh = steps_execute(ctx.client, again)
    merged = dict(results)
    for key, ref in where.items():
        merged[key] = fresh.get((ref.step, ref.index)) or ItemResult(False, code=NOT_SENT, deferred=True)
    return merged


def _repoint(record: dict, results, where: dict[Key, Ref]) -> tuple[dict | None, bool]:
    """The record with Refs to records sent again pointing at their new place and Refs to records already written
    replaced by their ids (None when it points at a record that stays unwritten), and whether it follows a record
    sent again."""
    out = dict(record)
    follows = False
    for name, value in record.items():
        if not isinstance(value, Ref):
            continue
        key = (value.step, value.index)
        if key in where:
            out[name], follows = where[key], True
        elif results.get(key) is not None and results[key].ok:
            out[name] = results[key].id
        else:
            return None, False
    return out, follows
