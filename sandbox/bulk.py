"""Bulk API 2.0 query jobs: create, poll, abort, delete, and CSV results paged by ``Sforce-Locator``.

A job is evaluated when it is created (a snapshot, like Salesforce's), but it reports ``InProgress`` for the org's
``bulk_polls_before_complete`` polls (default 1) before ``JobComplete``, so clients must poll as they must against
Salesforce; results read before completion answer 412 ``JOB_NOT_COMPLETE``. The create response says
``UploadComplete`` as Salesforce's does.
"""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sandbox import ids
from sandbox import query as soql_query
from sandbox.errors import ApiError
from sandbox.rest.base import Ctx, Out
from sandbox.soql import SoqlError
from sandbox.soql import execute as soql_execute

DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
DEFAULT_MAX_RECORDS = 50_000
MAX_JOBS_PER_ORG = 200


@dataclass
class QueryJob:
    id: str
    operation: str
    sobject: str
    soql: str
    created_by: str
    created: str
    api_version: str
    column_delimiter: str
    line_ending: str
    plan: Any
    pairs: list = field(default_factory=list)
    state: str = "JobComplete"
    modstamp: str = ""
    polls_left: int = 0  # polls still answered InProgress (the org's bulk_polls_before_complete at creation)

    def poll(self, now_str: str) -> None:
        """One status read: an in-progress job completes once its polls are used up."""
        if self.state != "InProgress":
            return
        if self.polls_left > 0:
            self.polls_left -= 1
            return
        self.state = "JobComplete"
        self.modstamp = now_str

    def info(self, *, detail: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.modstamp or self.created,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
        }
        if detail:
            body.update(
                jobType="V2Query",
                numberRecordsProcessed=len(self.pairs) if self.state == "JobComplete" else 0,
                retries=0,
                totalProcessingTime=1,
                isPkChunkingSupported=True,
            )
        return body


def _job(ctx: Ctx, job_id: str) -> QueryJob:
    job = ctx.org.bulk_jobs.get(ids.normalize(job_id) or job_id)
    if job is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    return job


def create(ctx: Ctx) -> Out:
    body = ctx.body
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    operation = body.get("operation")
    if operation not in ("query", "queryAll"):
        raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}. Use query or queryAll.")
    delimiter = body.get("columnDelimiter", "COMMA")
    line_ending = body.get("lineEnding", "LF")
    if delimiter not in DELIMITERS:
        raise ApiError(400, "INVALIDJOB", f"Invalid columnDelimiter: {delimiter}")
    if line_ending not in LINE_ENDINGS:
        raise ApiError(400, "INVALIDJOB", f"Invalid lineEnding: {line_ending}")
    if body.get("contentType", "CSV") != "CSV":
        raise ApiError(400, "INVALIDJOB", "contentType must be CSV")
    soql = body.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise ApiError(400, "INVALIDJOB", "A query is required for query jobs")
    plan = soql_query.compile_for(ctx.org, ctx.user, soql, now=ctx.now, version=ctx.version)
    try:
        plan.validate_for_bulk()
    except SoqlError as exc:
        raise ApiError(400, exc.error_code, exc.message) from None
    pairs = soql_execute.select(plan, soql_query.OrgStore(ctx.org, include_deleted=operation == "queryAll"))
    polls = ctx.org.bulk_polls_before_complete
    job = QueryJob(
        id=ctx.org.ids.new(ids.KEY_PREFIXES["BulkJob"]),
        operation=operation,
        sobject=plan.sobject,
        soql=soql,
        created_by=ctx.user.id,
        created=ctx.now_str,
        api_version=ctx.version,
        column_delimiter=delimiter,
        line_ending=line_ending,
        plan=plan,
        pairs=pairs,
        state="InProgress" if polls > 0 else "JobComplete",
        polls_left=polls,
    )
    jobs = ctx.org.bulk_jobs
    jobs[job.id] = job
    while len(jobs) > MAX_JOBS_PER_ORG:
        jobs.pop(next(iter(jobs)))
    info = job.info(detail=False)
    info["state"] = "UploadComplete"
    return Out(200, info)


def get(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    found.poll(ctx.now_str)
    return Out(200, found.info(detail=True))


def list_jobs(ctx: Ctx) -> Out:
    records = [j.info(detail=False) for j in ctx.org.bulk_jobs.values()]
    return Out(200, {"done": True, "records": records, "nextRecordsUrl": None})


def patch(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    wanted = ctx.body.get("state") if isinstance(ctx.body, dict) else None
    if wanted != "Aborted":
        raise ApiError(400, "INVALIDJOB", "Only state Aborted can be set on a query job")
    if found.state == "JobComplete":
        raise ApiError(400, "INVALIDJOB", "Job is already complete and can't be aborted")
    found.state = "Aborted"
    found.modstamp = ctx.now_str
    return Out(200, found.info(detail=False))


def delete(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    ctx.org.bulk_jobs.pop(found.id, None)
    return Out(204)


def _decode_locator(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        value = int(base64.b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {raw}") from None
    if value < 0:
        raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {raw}")
    return value


def _encode_locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode("ascii")).decode("ascii").rstrip("=")


def results(ctx: Ctx, job: str) -> Out:
    found = _job(ctx, job)
    if found.state != "JobComplete":
        raise ApiError(412, "JOB_NOT_COMPLETE", f"Job {found.id} is not complete; its state is {found.state}")
    if ctx.version != found.api_version:
        raise ApiError(409, "INVALIDJOB", "Results must be fetched with the API version that created the job")
    start = _decode_locator(ctx.arg("locator"))
    raw_max = ctx.arg("maxRecords")
    try:
        max_records = int(raw_max) if raw_max else DEFAULT_MAX_RECORDS
    except ValueError:
        raise ApiError(400, "INVALIDJOB", f"Invalid maxRecords: {raw_max}") from None
    if max_records <= 0:
        raise ApiError(400, "INVALIDJOB", f"Invalid maxRecords: {raw_max}")
    store = soql_query.OrgStore(ctx.org, include_deleted=False)  # parents: never deleted ones
    chunk = soql_execute.attach(found.plan, found.pairs[start : start + max_records], store)
    end = start + len(chunk)
    buf = io.StringIO()
    writer = csv.writer(
        buf,
        delimiter=DELIMITERS[found.column_delimiter],
        lineterminator=LINE_ENDINGS[found.line_ending],
        quoting=csv.QUOTE_ALL,
    )
    plan = found.plan
    writer.writerow(plan.csv_header())
    values = plan.csv_values
    writer.writerows([values(r, p) for r, p in chunk])
    locator = _encode_locator(end) if end < len(found.pairs) else "null"
    return Out(
        200,
        raw=buf.getvalue().encode("utf-8"),
        content_type="text/csv",
        headers=[("Sforce-NumberOfRecords", str(len(chunk))), ("Sforce-Locator", locator)],
    )
