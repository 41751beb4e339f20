"""``/services/data/`` (versions), the version root (resources) and ``/limits``."""

from __future__ import annotations

from sandbox.rest.base import Ctx, Out
from sandbox.state import API_VERSIONS


def release(version: str) -> str:
    """The release name of an API version: three a year since v31.0, Summer '14."""
    step = int(float(version)) - 31
    season = ("Summer", "Winter", "Spring")[step % 3]
    year = 14 + step // 3 + (season != "Summer")
    return f"{season} '{year:02d}"


RESOURCES = (
    "tooling", "metadata", "eclair", "folders", "prechatForms", "jobs", "analytics", "search", "quickActions",
    "queryAll", "commerce", "wave", "iot", "sobjects", "actions", "support", "query", "recent", "limits",
    "composite", "process", "theme", "ui-api",
)  # fmt: skip


def versions() -> list[dict[str, str]]:
    return [{"label": release(v), "url": f"/services/data/v{v}", "version": v} for v in API_VERSIONS]


def resources(ctx: Ctx) -> Out:
    return Out(200, {name: f"/services/data/v{ctx.version}/{name}" for name in RESOURCES})


def limits(ctx: Ctx) -> Out:
    org = ctx.org
    used = org.api_used(ctx.app.state.clock.time())
    jobs_today = len(org.bulk_jobs)

    def pair(maximum: int, remaining: int) -> dict[str, int]:
        return {"Max": maximum, "Remaining": max(0, remaining)}

    return Out(
        200,
        {
            "ConcurrentAsyncGetReportInstances": pair(200, 200),
            "ConcurrentSyncReportRuns": pair(20, 20),
            "DailyApiRequests": pair(org.api_limit, org.api_limit - used),
            "DailyAsyncApexExecutions": pair(250000, 250000),
            "DailyBulkApiBatches": pair(15000, 15000),
            "DailyBulkV2QueryFileStorageMB": pair(1048576, 1048576),
            "DailyBulkV2QueryJobs": pair(10000, 10000 - jobs_today),
            "DailyStreamingApiEvents": pair(10000, 10000),
            "DataStorageMB": pair(5, 5),
            "FileStorageMB": pair(20, 20),
            "HourlyODataCallout": pair(10000, 10000),
            "SingleEmail": pair(15, 15),
        },
    )


def record_count(ctx: Ctx) -> Out:
    """``/limits/recordCount``: stored records per object, as the org's storage usage page counts them.

    Without ``sObjects`` Salesforce lists every object that holds records; unknown names are left out.
    """
    wanted = [name for raw in ctx.query.get("sObjects", []) for name in raw.split(",") if name]
    names = wanted or [name for name, rows in ctx.org.records.items() if rows]
    counts = []
    for name in names:
        spec = ctx.org.spec(name)
        if spec is not None:
            counts.append({"count": len(ctx.org.records.get(spec.name, {})), "name": spec.name})
    return Out(200, {"sObjects": counts})
