"""Control API: faults, latency, the request log, the clock, reset and save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.clock import sf_datetime
from sandbox.control.common import body_of, org_of
from sandbox.errors import ControlError
from sandbox.http import Request

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def add_fault(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    org_id = org_of(app, body.pop("org")).id if body.get("org") else None
    return 201, app.faults.add(body, org_id).as_dict()


def list_faults(app: SandboxApp, req: Request) -> Any:
    return {"faults": app.faults.listing()}


def clear_faults(app: SandboxApp, req: Request) -> Any:
    app.faults.clear()
    return {"faults": []}


def set_latency(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    try:
        ms = int(body.get("ms", body.get("latency_ms", 0)))
    except (TypeError, ValueError):
        raise ControlError("'ms' must be an integer") from None
    if ms < 0:
        raise ControlError("'ms' must be >= 0")
    app.latency_ms = ms
    return {"latency_ms": ms}


def get_latency(app: SandboxApp, req: Request) -> Any:
    return {"latency_ms": app.latency_ms}


def requests_log(app: SandboxApp, req: Request) -> Any:
    org_key = req.arg("org")
    org_id = org_of(app, org_key).id if org_key else None
    try:
        limit = int(req.arg("limit") or 0)
    except ValueError:
        raise ControlError("'limit' must be an integer") from None
    entries = app.request_log.entries(org_id)
    if limit > 0:
        entries = entries[-limit:]
    return {"requests": entries, "total_api_cost": sum(e["api_cost"] for e in entries)}


def clear_requests(app: SandboxApp, req: Request) -> Any:
    app.request_log.clear()
    return {"requests": []}


def set_clock(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    clock = app.state.clock
    try:
        if "offset_s" in body:
            clock.offset_s = float(body["offset_s"])
        if "advance_s" in body:
            clock.offset_s += float(body["advance_s"])
    except (TypeError, ValueError):
        raise ControlError("'offset_s'/'advance_s' must be numbers") from None
    return {"offset_s": clock.offset_s, "now": sf_datetime(clock.now())}


def reset(app: SandboxApp, req: Request) -> Any:
    app.reset()
    return {"reset": True, "orgs": [o.name for o in app.state.orgs.values()]}


def save(app: SandboxApp, req: Request) -> Any:
    if not app.state_file:
        raise ControlError("the sandbox was started without --state")
    app.save()
    return {"saved": app.state_file}
