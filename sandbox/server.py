"""The HTTP server: one threaded ``http.server`` with keep-alive, in front of OAuth, REST and control surfaces.

``SandboxApp.handle(request)`` does the work (faults, latency, routing, request log); ``Handler`` only moves
bytes. A bug in a handler answers 500 JSON; it never kills the server.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox import control, ids, oauth, pages, rest
from sandbox.clock import sf_datetime
from sandbox.faults import FaultBook
from sandbox.http import DROP, Request, Response, html_response, json_response
from sandbox.oauth.common import find_app
from sandbox.orgs import org_summary
from sandbox.state import State

log = logging.getLogger(__name__)
REQUEST_LOG_SIZE = 50_000


class RequestLog:
    """Ring buffer of API calls with their cost (``GET /_sandbox/requests``)."""

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self._entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, org_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if org_id is None or e["org"] == org_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SandboxApp:
    def __init__(
        self,
        state: State | None = None,
        *,
        base_url: str = "http://127.0.0.1:8765",
        latency_ms: int = 0,
        state_file: str | None = None,
        on_reset: Callable[[SandboxApp], None] | None = None,
    ) -> None:
        self.state = state or State()
        self.base_url = base_url
        self.latency_ms = latency_ms
        self.state_file = state_file
        self.on_reset = on_reset
        self.faults = FaultBook()
        self.request_log = RequestLog()
        self.describe_cache: dict[tuple, bytes] = {}

    def reset(self) -> None:
        self.state = State()
        self.faults.clear()
        self.request_log.clear()
        self.describe_cache.clear()
        self.latency_ms = 0
        if self.on_reset is not None:
            self.on_reset(self)

    def save(self) -> None:
        if self.state_file:
            self.state.save(self.state_file)

    def _org_of(self, req: Request) -> str | None:
        """The org a request can be attributed to (for org-limited faults), or None for anonymous requests.

        A bearer token (live or not) names its org; on the OAuth endpoints so do the client_id (form, query or
        Basic header), the refresh token, the code and the token being revoked; the identity URL names its org.
        """
        state = self.state
        value = oauth.bearer(req)
        if value:
            token = state.tokens.get(value)
            return token.org_id if token else _org_by_token_prefix(state, value)
        path = req.path
        if path.startswith("/id/"):
            org = state.org(path.split("/")[2]) if path.count("/") >= 2 else None
            return org.id if org else None
        if not path.startswith("/services/oauth2/"):
            return None
        params = {k: v[0] for k, v in req.query.items() if v}
        if req.method == "POST":
            params.update(req.form())
        for key in ("refresh_token", "token"):
            grant = state.refresh_tokens.get(params.get(key) or "")
            if grant is not None:
                return grant.org_id
        if (token := state.tokens.get(params.get("token") or "")) is not None:
            return token.org_id
        if (code := state.codes.get(params.get("code") or "")) is not None:
            return code.org_id
        client_id = params.get("client_id") or oauth_basic_client_id(req)
        found = find_app(state, client_id)
        return found[0].id if found else None

    def handle(self, req: Request) -> Response | object:
        started = time.perf_counter()
        path = req.path
        is_control = path == "/_sandbox" or path.startswith("/_sandbox/")
        is_api = path.startswith(("/services/", "/id/"))
        fault = self.faults.take(req.method, path, lambda: self._org_of(req)) if is_api else None
        if fault is not None and fault.phase == "before":
            if fault.action == "drop":
                self._log(req, 0, None, started)
                return DROP
            if fault.action == "delay":
                time.sleep(fault.delay_ms / 1000)
            else:
                if fault.action == "expire":
                    self._expire_session(req)
                resp = fault.response()
                self._log(req, fault.status, resp, started)
                return resp
        try:
            resp = self._route(req, is_control)
        except Exception:
            log.exception("sandbox.unhandled", extra={"path": path})
            resp = json_response(500, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}])
        if is_api and self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if fault is not None and fault.phase == "after":  # the work is done (and counted), the answer is lost
            if fault.action == "drop":
                self._log(req, 0, resp, started)
                return DROP
            self._log(req, fault.status, resp, started)
            return fault.response()
        if not is_control:
            self._log(req, resp.status, resp, started)
        return resp

    def _route(self, req: Request, is_control: bool) -> Response:
        path = req.path
        if is_control:
            return control.handle(self, req)
        if path.startswith("/services/data"):
            return rest.handle(self, req)
        if path.startswith("/services/oauth2/"):
            endpoint = path[len("/services/oauth2/") :].rstrip("/")
            if endpoint == "authorize" and req.method in ("GET", "POST"):
                return oauth.authorize(self, req)
            if endpoint == "token":
                return oauth.token(self, req)
            if endpoint == "revoke" and req.method in ("GET", "POST"):
                return oauth.revoke(self, req)
            if endpoint == "userinfo" and req.method in ("GET", "POST"):
                return oauth.userinfo(self, req)
            return json_response(404, {"error": "not_found", "error_description": "unknown OAuth endpoint"})
        if path.startswith("/id/"):
            parts = path.strip("/").split("/")
            if len(parts) == 3 and req.method == "GET":
                return oauth.identity(self, req, parts[1], parts[2])
            return json_response(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        if req.method == "GET" and (record_id := _record_page_id(path)):
            return self._record_page(record_id)
        if path in ("/", "") and req.method == "GET":
            now = self.state.clock.time()
            return html_response(200, pages.index_page([org_summary(o, self.base_url, now)
                                                        for o in self.state.orgs.values()]))  # fmt: skip
        return json_response(404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    def _record_page(self, record_id: str) -> Response:
        found, deleted = [], False
        for org in list(self.state.orgs.values()):
            with org.lock:
                for sobject, rows in org.records.items():
                    if (row := rows.get(record_id)) is None:
                        continue
                    if row.get("IsDeleted"):
                        deleted = True
                    else:
                        found.append((org.name, sobject, dict(row)))
        if not found:
            return html_response(404, pages.record_not_found_page(record_id, deleted=deleted))
        return html_response(200, pages.record_page(found))

    def _expire_session(self, req: Request) -> None:
        """The request's access token is over, as after the org's session timeout; its refresh token still works."""
        with self.state.lock:
            token = self.state.tokens.get(oauth.bearer(req) or "")
            if token is not None:
                token.issued_at = -1e12

    def _log(self, req: Request, status: int, resp: Response | None, started: float) -> None:
        self.request_log.add(
            {
                "method": req.method,
                "path": req.path,
                "query": "&".join(f"{k}={v[0]}" for k, v in req.query.items())[:500],
                "status": status,
                "api_cost": resp.api_cost if resp is not None else 0,
                "org": resp.org_id if resp is not None else None,
                "user": resp.user_id if resp is not None else None,
                "timestamp": sf_datetime(self.state.clock.now()),
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
        )


def _org_by_token_prefix(state: State, value: str) -> str | None:
    """Salesforce access tokens start with the 15-character org id and ``!``: unknown ones still name an org."""
    prefix, bang, _ = value.partition("!")
    if not bang or len(prefix) != 15:
        return None
    return next((org.id for org in state.orgs.values() if org.id[:15] == prefix), None)


def oauth_basic_client_id(req: Request) -> str | None:
    auth = req.header("authorization") or ""
    if not auth.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":")[0] or None
    except (ValueError, UnicodeDecodeError):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SalesforceSandbox/1.0"
    sys_version = ""
    app: SandboxApp  # set on the subclass built by make_server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (stdlib signature)
        return

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=parts.path or "/",
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_ip=self.client_address[0] if self.client_address else "",
        )
        result = self.app.handle(req)
        if result is DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        assert isinstance(result, Response)
        self._send(result, head=self.command == "HEAD")

    def _send(self, resp: Response, *, head: bool = False) -> None:
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = ""
        lines = [f"HTTP/1.1 {resp.status} {reason}", f"Date: {self.date_time_string()}"]
        lines += [f"{k}: {v}" for k, v in resp.headers]
        lines.append(f"Content-Length: {len(resp.body)}")
        if self.close_connection or (self.headers.get("Connection") or "").lower() == "close":
            self.close_connection = True
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(data if head else data + resp.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _dispatch


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    ssl_context: ssl.SSLContext | None = None

    def finish_request(self, request, client_address) -> None:  # type: ignore[override]
        # The TLS handshake runs here, in the connection's own thread, so a slow client can't stall accept().
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


def make_server(
    app: SandboxApp, host: str = "127.0.0.1", port: int = 0, ssl_context: ssl.SSLContext | None = None
) -> SandboxHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": app})
    server = SandboxHTTPServer((host, port), handler)
    server.ssl_context = ssl_context
    scheme = "https" if ssl_context else "http"
    app.base_url = f"{scheme}://{host}:{server.server_address[1]}"
    return server


_LIGHTNING_RECORD = re.compile(r"^/lightning/r/(?:[A-Za-z0-9_]+/)?([A-Za-z0-9]{15}|[A-Za-z0-9]{18})/view/?$")
_CLASSIC_RECORD = re.compile(r"^/([A-Za-z0-9]{15}|[A-Za-z0-9]{18})/?$")


def _record_page_id(path: str) -> str | None:
    """The record id of a Lightning or Classic record address, as 18 characters; None for any other path."""
    match = _LIGHTNING_RECORD.match(path) or _CLASSIC_RECORD.match(path)
    return ids.normalize(match.group(1)) if match else None
