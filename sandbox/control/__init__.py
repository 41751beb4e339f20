"""The control API under ``/_sandbox/`` (loopback only, no auth): orgs, fields, permissions, faults, latency,
request log, bulk loading, tokens, clock and reset. Every answer is JSON; errors are ``{"error": message}``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sandbox.control import data, ops, orgs, schema
from sandbox.errors import ControlError
from sandbox.http import Request, Response, Router, json_response

if TYPE_CHECKING:
    from sandbox.server import SandboxApp

log = logging.getLogger(__name__)

ROUTER = Router()
ROUTER.add("GET", r"/_sandbox/?", orgs.index)
ROUTER.add("POST", r"/_sandbox/orgs/?", orgs.create_org)
ROUTER.add("GET", r"/_sandbox/orgs/(?P<org>[^/]+)/?", orgs.get_org)
ROUTER.add("DELETE", r"/_sandbox/orgs/(?P<org>[^/]+)/?", orgs.delete_org)
ROUTER.add("POST", r"/_sandbox/orgs/(?P<org>[^/]+)/settings/?", orgs.org_settings)
ROUTER.add("POST", r"/_sandbox/users/?", orgs.create_user)
ROUTER.add("POST PATCH", r"/_sandbox/users/(?P<user>[^/]+)/?", orgs.update_user)
ROUTER.add("POST", r"/_sandbox/fields/?", schema.add_fields)
ROUTER.add("DELETE", r"/_sandbox/fields/?", schema.delete_fields)
ROUTER.add("POST", r"/_sandbox/permissions/?", schema.set_permissions)
ROUTER.add("POST", r"/_sandbox/validation-rules/?", schema.add_validation_rule)
ROUTER.add("GET", r"/_sandbox/validation-rules/?", schema.list_validation_rules)
ROUTER.add("DELETE", r"/_sandbox/validation-rules/?", schema.delete_validation_rules)
ROUTER.add("POST", r"/_sandbox/faults/?", ops.add_fault)
ROUTER.add("GET", r"/_sandbox/faults/?", ops.list_faults)
ROUTER.add("DELETE", r"/_sandbox/faults/?", ops.clear_faults)
ROUTER.add("POST", r"/_sandbox/latency/?", ops.set_latency)
ROUTER.add("GET", r"/_sandbox/latency/?", ops.get_latency)
ROUTER.add("GET", r"/_sandbox/requests/?", ops.requests_log)
ROUTER.add("DELETE", r"/_sandbox/requests/?", ops.clear_requests)
ROUTER.add("POST", r"/_sandbox/records/?", data.load_records)
ROUTER.add("GET", r"/_sandbox/records/?", data.dump_records)
ROUTER.add("POST", r"/_sandbox/tokens/?", data.mint_token)
ROUTER.add("POST", r"/_sandbox/tokens/expire/?", data.expire_tokens)
ROUTER.add("POST", r"/_sandbox/leads/convert/?", data.convert_lead)
ROUTER.add("POST", r"/_sandbox/clock/?", ops.set_clock)
ROUTER.add("POST", r"/_sandbox/reset/?", ops.reset)
ROUTER.add("POST", r"/_sandbox/save/?", ops.save)

LOOPBACK_PREFIXES = ("127.", "::1", "::ffff:127.")


def handle(app: SandboxApp, req: Request) -> Response:
    if not req.client_ip.startswith(LOOPBACK_PREFIXES):
        return json_response(403, {"error": "the control API only answers loopback clients"})
    matched = ROUTER.match(req.method, req.path)
    if isinstance(matched, int):
        return json_response(matched, {"error": "no such control endpoint" if matched == 404 else "method not allowed"})
    handler, kwargs = matched
    try:
        result = handler(app, req, **kwargs)
    except ControlError as exc:
        return json_response(exc.status, {"error": exc.message})
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # wrong types in the request body
        return json_response(400, {"error": f"bad request: {type(exc).__name__}: {exc}"})
    except Exception as exc:  # never a traceback page, never a dead server
        log.exception("sandbox.control.unhandled", extra={"path": req.path})
        return json_response(500, {"error": f"internal error: {type(exc).__name__}: {exc}"})
    status, body = result if isinstance(result, tuple) else (200, result)
    return json_response(status, body)
