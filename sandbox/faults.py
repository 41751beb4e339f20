"""Injected failures: match requests by method and path pattern, then answer an error, drop, delay or expire.

A fault's ``phase`` says when it strikes: ``before`` (default) the request is never processed; ``after`` it is
processed (a write is committed) and then the answer is replaced by the error or the connection is dropped, as when
Salesforce commits and a gateway or the network loses the answer. Only ``after`` faults show whether a client's retry
duplicates what it already wrote.
"""

from __future__ import annotations

import fnmatch
import functools
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ControlError
from sandbox.http import Response, json_response

DEFAULT_MESSAGES = {
    "UNABLE_TO_LOCK_ROW": "unable to obtain exclusive access to this record or 1 records",
    "SERVER_UNAVAILABLE": "Server temporarily unavailable. Please try again later.",
    "REQUEST_LIMIT_EXCEEDED": "TotalRequests Limit exceeded.",
    "INVALID_SESSION_ID": "Session expired or invalid",
    "QUERY_TIMEOUT": "Your query request was running for too long.",
}
STATUS_CODES = {503: "SERVER_UNAVAILABLE", 429: "REQUEST_LIMIT_EXCEEDED", 401: "INVALID_SESSION_ID",
                500: "UNKNOWN_EXCEPTION", 400: "UNABLE_TO_LOCK_ROW", 403: "REQUEST_LIMIT_EXCEEDED"}  # fmt: skip
ACTIONS = ("error", "drop", "delay", "expire")
PHASES = ("before", "after")


@dataclass
class Fault:
    id: int
    method: str
    path: str
    action: str
    status: int = 503
    error_code: str | None = None
    message: str | None = None
    body: Any = None
    delay_ms: int = 0
    times: int | None = None
    probability: float | None = None
    org: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    phase: str = "before"
    hits: int = 0

    def matches(self, method: str, path: str, org_of: Callable[[], str | None]) -> bool:
        if self.method != "*" and self.method != method:
            return False
        if not fnmatch.fnmatchcase(path, self.path):
            return False
        # An org-limited fault fires only on requests attributable to that org; anonymous ones never match.
        return not self.org or org_of() == self.org

    def error_body(self) -> Any:
        if self.body is not None:
            return self.body
        code = self.error_code or ("INVALID_SESSION_ID" if self.action == "expire" else None)
        code = code or STATUS_CODES.get(self.status, "UNKNOWN_EXCEPTION")
        return [{"message": self.message or DEFAULT_MESSAGES.get(code, code.replace("_", " ").lower()),
                 "errorCode": code}]  # fmt: skip

    def response(self) -> Response:
        return json_response(self.status, self.error_body(), headers=list(self.headers.items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "method": self.method, "path": self.path, "action": self.action, "status": self.status,
            "error_code": self.error_code, "message": self.message, "delay_ms": self.delay_ms, "times": self.times,
            "probability": self.probability, "org": self.org, "headers": self.headers, "phase": self.phase,
            "hits": self.hits,
        }  # fmt: skip


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    seq: int = 0
    rng: random.Random = field(default_factory=random.Random)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, spec: Any, org_id: str | None = None) -> Fault:
        if not isinstance(spec, dict):
            raise ControlError("a fault is a JSON object")
        action = spec.get("action") or ("delay" if spec.get("delay_ms") and not spec.get("status") else "error")
        if action not in ACTIONS:
            raise ControlError(f"action must be one of {ACTIONS}")
        path = spec.get("path", "*")
        method = str(spec.get("method", "*")).upper()
        if not isinstance(path, str) or not path:
            raise ControlError("'path' must be a glob pattern such as /services/data/*/composite/sobjects")
        try:
            status = int(spec.get("status", 503))
            delay_ms = int(spec.get("delay_ms", 0))
            times = None if spec.get("times") is None else int(spec["times"])
            probability = None if spec.get("probability") is None else float(spec["probability"])
        except (TypeError, ValueError):
            raise ControlError("status, delay_ms and times must be integers; probability a number") from None
        if not 100 <= status <= 599:
            raise ControlError("'status' must be an HTTP status code")
        if probability is not None and not 0 <= probability <= 1:
            raise ControlError("'probability' must be between 0 and 1")
        if times is not None and times < 1:
            raise ControlError("'times' must be at least 1")
        if action == "delay" and delay_ms <= 0:
            raise ControlError("a delay fault needs 'delay_ms' > 0")
        if action == "expire":
            status = 401  # the session is really over: the client must refresh, as after the org's session timeout
        phase = spec.get("phase", "before")
        if phase not in PHASES:
            raise ControlError(f"phase must be one of {PHASES}")
        if phase == "after" and action not in ("error", "drop"):
            raise ControlError("only 'error' and 'drop' faults can strike after the request is processed")
        headers = spec.get("headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str | int | float) for k, v in headers.items()
        ):
            raise ControlError('\'headers\' must map header names to values, e.g. {"Retry-After": "2"}')
        with self.lock:
            self.seq += 1
            fault = Fault(
                id=self.seq, method=method, path=path, action=action, status=status,
                error_code=spec.get("error_code"), message=spec.get("message"), body=spec.get("body"),
                delay_ms=delay_ms, times=times, probability=probability, org=org_id,
                headers={k: str(v) for k, v in headers.items()}, phase=phase,
            )  # fmt: skip
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    def take(self, method: str, path: str, org_of: Callable[[], str | None]) -> Fault | None:
        """The first fault that fires for this request (consuming one of its ``times``).

        ``org_of`` names the org the request belongs to; it runs only when an org-limited fault is a candidate.
        """
        if not self.faults:
            return None
        org_of = functools.cache(org_of)
        with self.lock:
            for fault in self.faults:
                if not fault.matches(method, path, org_of):
                    continue
                if fault.probability is not None and self.rng.random() >= fault.probability:
                    continue
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    def listing(self) -> list[dict[str, Any]]:
        with self.lock:
            return [f.as_dict() for f in self.faults]
