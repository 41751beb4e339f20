"""Bulk API 2.0 ingest jobs: insert, update, upsert, delete and hardDelete of CSV records.

Create a job (``Open``), PUT its CSV to ``batches`` once, PATCH ``UploadComplete``; the job then reads
``InProgress`` for the org's ``bulk_polls_before_complete`` status polls (as query jobs do) and is processed when it
completes, one record at a time through ``sandbox.dml``: the same validation as REST writes, each failure a row of
``failedResults`` instead of an HTTP error. ``Aborted`` before completion leaves every record in
``unprocessedrecords``. A CSV naming an unknown field fails the whole job (``Failed``, ``errorMessage``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sandbox import dml, ids
from sandbox.errors import ApiError, DmlError
from sandbox.rest.base import Ctx, Out, spec_or_404

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
NULL_VALUE = "#N/A"  # a CSV cell that sets the field to null (an empty cell leaves it alone)
MAX_UPLOAD_BYTES = 150 * 1024 * 1024
MAX_JOBS_PER_ORG = 200
OPEN, UPLOAD_COMPLETE, IN_PROGRESS, COMPLETE, FAILED, ABORTED = (
    "Open", "UploadComplete", "InProgress", "JobComplete", "Failed", "Aborted",
)  # fmt: skip


@dataclass
class IngestJob:
    id: str
    operation: str
    sobject: str
    external_id: str | None
    created_by: str
    created: str
    api_version: str
    column_delimiter: str
    line_ending: str
    state: str = OPEN
    modstamp: str = ""
    data: bytes | None = None
    polls_left: int = 0
    header: list[str] = field(default_factory=list)
    successes: list[tuple[str, bool, list[str]]] = field(default_factory=list)  # (id, created, original row)
    failures: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (id or "", error, original row)
    unprocessed: list[list[str]] = field(default_factory=list)
    error_message: str | None = None

    def info(self, *, detail: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp or self.created,
            "state": self.state,
        }
        if self.external_id:
            body["externalIdFieldName"] = self.external_id
        body.update(
            concurrencyMode="Parallel", contentType="CSV", apiVersion=float(self.api_version),
            lineEnding=self.line_ending, columnDelimiter=self.column_delimiter,
        )  # fmt: skip
        if self.state == OPEN:
            body["contentUrl"] = f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"
        if detail:
            done = self.state in (COMPLETE, FAILED, ABORTED)
            body.update(
                jobType="V2Ingest",
                numberRecordsProcessed=len(self.successes) + len(self.failures) if done else 0,
                numberRecordsFailed=len(self.failures) if done else 0,
                retries=0,
                totalProcessingTime=1 if done else 0,
                apiActiveProcessingTime=1 if done else 0,
                apexProcessingTime=0,
            )
            if self.error_message:
                body["errorMessage"] = self.error_message
        return body


def _job(ctx: Ctx, job_id: str) -> IngestJob:
    job = ctx.org.ingest_jobs.get(ids.normalize(job_id) or job_id)
    if job is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return job


def _bad_state(job: IngestJob, action: str) -> ApiError:
    return ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} is in state {job.state}: it can't be {action}")


def create(ctx: Ctx) -> Out:
    body = ctx.body
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    operation = body.get("operation")
    if operation not in OPERATIONS:
        raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}. Use one of {', '.join(OPERATIONS)}.")
    delimiter, line_ending = body.get("columnDelimiter", "COMMA"), body.get("lineEnding", "LF")
    if delimiter not in DELIMITERS:
        raise ApiError(400, "INVALIDJOB", f"Invalid columnDelimiter: {delimiter}")
    if line_ending not in LINE_ENDINGS:
        raise ApiError(400, "INVALIDJOB", f"Invalid lineEnding: {line_ending}")
    if body.get("contentType", "CSV") != "CSV":
        raise ApiError(400, "INVALIDJOB", "contentType must be CSV")
    name = body.get("object")
    try:
        spec = spec_or_404(ctx, str(name or ""))
    except ApiError:
        raise ApiError(400, "INVALIDENTITY", f"Entity '{name}' is not supported by the Bulk API.") from None
    letter = {"insert": "c", "update": "u", "upsert": "c", "delete": "d", "hardDelete": "d"}[operation]
    try:
        dml.check_object_access(ctx.org, ctx.user, spec.name, letter)
    except DmlError as exc:
        raise ApiError(400, "INVALIDJOB", exc.message) from None
    external_id = None
    if operation == "upsert":
        key = dml.upsert_key(spec, str(body.get("externalIdFieldName") or ""))
        if key is None:
            raise ApiError(
                400, "INVALIDJOB",
                f"InvalidJob : Field name provided, {body.get('externalIdFieldName')} is not an External ID or "
                f"indexed field for {spec.name}",
            )  # fmt: skip
        external_id = key.name
    job = IngestJob(
        id=ctx.org.ids.new(ids.KEY_PREFIXES["BulkJob"]), operation=operation, sobject=spec.name,
        external_id=external_id, created_by=ctx.user.id, created=ctx.now_str, api_version=ctx.version,
        column_delimiter=delimiter, line_ending=line_ending,
    )  # fmt: skip
    jobs = ctx.org.ingest_jobs
    jobs[job.id] = job
    while len(jobs) > MAX_JOBS_PER_ORG:
        jobs.pop(next(iter(jobs)))
    return Out(200, job.info(detail=False))


def upload(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    if found.state != OPEN:
        raise _bad_state(found, "given data")
    if found.data is not None:
        raise ApiError(400, "INVALIDJOBSTATE", f"Job {found.id} already has its data: a job takes one upload")
    if not ctx.raw.strip():
        raise ApiError(400, "INVALIDJOB", "The CSV data is empty")
    if len(ctx.raw) > MAX_UPLOAD_BYTES:
        raise ApiError(413, "INVALIDJOB", "The CSV data exceeds the 150 MB a job accepts")
    found.data = ctx.raw
    found.modstamp = ctx.now_str
    return Out(201, raw=b"")  # Created, no body


def patch(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    wanted = ctx.body.get("state") if isinstance(ctx.body, dict) else None
    if wanted == UPLOAD_COMPLETE:
        if found.state != OPEN:
            raise _bad_state(found, "closed")
        if found.data is None:
            raise ApiError(400, "INVALIDJOBSTATE", f"Job {found.id} has no data: PUT the CSV to its batches first")
        found.state = UPLOAD_COMPLETE
        found.polls_left = ctx.org.bulk_polls_before_complete
        found.modstamp = ctx.now_str
        if found.polls_left == 0:
            _process(ctx, found)
    elif wanted == ABORTED:
        if found.state not in (OPEN, UPLOAD_COMPLETE, IN_PROGRESS):
            raise _bad_state(found, "aborted")
        found.state = ABORTED
        found.modstamp = ctx.now_str
        found.header, found.unprocessed = _rows(found) if found.data is not None else ([], [])
    else:
        raise ApiError(400, "INVALIDJOB", "state must be UploadComplete or Aborted")
    return Out(200, found.info(detail=False))


def get(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    if found.state in (UPLOAD_COMPLETE, IN_PROGRESS):
        if found.polls_left > 0:
            found.state = IN_PROGRESS
            found.polls_left -= 1
        else:
            _process(ctx, found)
    return Out(200, found.info(detail=True))


def list_jobs(ctx: Ctx) -> Out:
    records = [j.info(detail=False) for j in ctx.org.ingest_jobs.values()]
    return Out(200, {"done": True, "records": records, "nextRecordsUrl": None})


def delete(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    if found.state in (OPEN, IN_PROGRESS):
        raise _bad_state(found, "deleted")
    ctx.org.ingest_jobs.pop(found.id, None)
    return Out(204)


# --- processing ---------------------------------------------------------------------------------


def _rows(job: IngestJob) -> tuple[list[str], list[list[str]]]:
    text = (job.data or b"").decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITERS[job.column_delimiter])
    rows = [row for row in reader if row]
    return (rows[0], rows[1:]) if rows else ([], [])


def _process(ctx: Ctx, job: IngestJob) -> None:
    """Run every record through dml (the caller holds the org lock) and settle the job."""
    job.header, rows = _rows(job)
    spec = ctx.org.schema.get(job.sobject)
    unknown = [] if spec is None else [name for name in job.header if spec.get(name) is None]
    if spec is None or unknown or not job.header:
        job.state, job.unprocessed = FAILED, rows
        job.error_message = f"InvalidBatch : Field name not found : {unknown[0] if unknown else job.sobject}"
        job.modstamp = ctx.now_str
        return
    names = [spec.get(name).name for name in job.header]  # type: ignore[union-attr]
    if job.operation in ("delete", "hardDelete") and names != ["Id"]:
        job.state, job.unprocessed = FAILED, rows
        job.error_message = f"InvalidBatch : The '{job.operation}' batch must contain only 'Id'"
        job.modstamp = ctx.now_str
        return
    for raw in rows:
        values = {n: (None if v == NULL_VALUE else v) for n, v in zip(names, raw, strict=False) if v != ""}
        try:
            rid, created = _write(ctx, job, values)
        except DmlError as exc:
            rid = ids.normalize(str(values.get("Id") or "")) or ""
            fields = ",".join(exc.fields)
            job.failures.append((rid, f"{exc.error_code}:{exc.message}:{fields} --", raw))
        else:
            job.successes.append((rid, created, raw))
    job.state = COMPLETE
    job.modstamp = ctx.now_str


def _existing_id(ctx: Ctx, job: IngestJob, values: dict[str, Any]) -> str:
    raw = values.pop("Id", None)
    if not raw:
        raise DmlError("MISSING_ARGUMENT", f"Id not specified in an {job.operation} call", ["Id"])
    rid = ids.normalize(raw)
    if rid is None or rid[:3] != ctx.org.schema[job.sobject].key_prefix:
        raise DmlError("MALFORMED_ID", f"{job.sobject} ID: id value of incorrect type: {raw}", ["Id"])
    if rid not in ctx.org.records[job.sobject]:
        raise DmlError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
    return rid


def _write(ctx: Ctx, job: IngestJob, values: dict[str, Any]) -> tuple[str, bool]:
    org, user, now = ctx.org, ctx.user, ctx.now_str
    if job.operation == "insert":
        return dml.insert(org, user, job.sobject, values, now=now), True
    if job.operation == "update":
        rid = _existing_id(ctx, job, values)
        dml.update(org, user, job.sobject, rid, values, now=now)
        return rid, False
    if job.operation == "upsert":
        key = dml.upsert_key(org.schema[job.sobject], job.external_id or "")
        value = values.get(key.name) if key is not None else None
        if key is not None and value not in (None, "") and key.name != "Id":
            matches = dml.find_by_external_id(org, job.sobject, key, value)
            if len(matches) > 1:
                raise DmlError(
                    "DUPLICATE_EXTERNAL_ID",
                    f"{key.name}: more than one record found for external id field: {matches}", [key.name],
                )  # fmt: skip
        return dml.upsert(org, user, job.sobject, job.external_id or "", value, values, now=now)
    rid = _existing_id(ctx, job, values)
    dml.delete(org, user, job.sobject, rid, now=now)
    if job.operation == "hardDelete":  # not kept in the recycle bin: gone from queryAll and getDeleted
        org.records[job.sobject].pop(rid, None)
        org.deleted_at[job.sobject].pop(rid, None)
    return rid, False


# --- results ------------------------------------------------------------------------------------


def _csv(job: IngestJob, header: list[str], rows: list[list[Any]]) -> Out:
    buf = io.StringIO()
    writer = csv.writer(
        buf, delimiter=DELIMITERS[job.column_delimiter], lineterminator=LINE_ENDINGS[job.line_ending],
        quoting=csv.QUOTE_ALL,
    )  # fmt: skip
    writer.writerow(header)
    writer.writerows(rows)
    return Out(200, raw=buf.getvalue().encode("utf-8"), content_type="text/csv")


def _finished(ctx: Ctx, job: str) -> IngestJob:
    found = _job(ctx, job)
    if found.state not in (COMPLETE, FAILED, ABORTED):
        raise ApiError(400, "INVALIDJOBSTATE", f"Job {found.id} is not finished; its state is {found.state}")
    return found


def successful_results(ctx: Ctx, job: str) -> Out:
    found = _finished(ctx, job)
    rows = [[rid, "true" if created else "false", *raw] for rid, created, raw in found.successes]
    return _csv(found, ["sf__Id", "sf__Created", *found.header], rows)


def failed_results(ctx: Ctx, job: str) -> Out:
    found = _finished(ctx, job)
    rows = [[rid, error, *raw] for rid, error, raw in found.failures]
    return _csv(found, ["sf__Id", "sf__Error", *found.header], rows)


def unprocessed_records(ctx: Ctx, job: str) -> Out:
    found = _finished(ctx, job)
    return _csv(found, found.header, found.unprocessed)
