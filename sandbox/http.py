"""Minimal request/response types and a regex router shared by every surface of the sandbox."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


class _Drop:
    """Sentinel response: close the connection without answering (fault injection)."""


DROP = _Drop()


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    client_ip: str = "127.0.0.1"

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """Parsed JSON body; raises ValueError on malformed JSON (callers map it to their error shape)."""
        if not self.body.strip():
            return None
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        ctype = self.header("content-type", "") or ""
        if "json" in ctype:
            try:
                data = self.json()
            except ValueError:
                return {}
            return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        try:
            parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    api_cost: int = 0
    org_id: str | None = None
    user_id: str | None = None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status: int, obj: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = b"" if status == 204 else dumps(obj)
    hdrs = [("Content-Type", "application/json;charset=UTF-8")] if status != 204 else []
    return Response(status, body, hdrs + (headers or []))


def html_response(status: int, html: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, html.encode("utf-8"), [("Content-Type", "text/html;charset=UTF-8"), *(headers or [])])


def text_response(status: int, text: str, content_type: str = "text/plain;charset=UTF-8") -> Response:
    return Response(status, text.encode("utf-8"), [("Content-Type", content_type)])


def redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(302, b"", [("Location", location), *(headers or [])])


Handler = Callable[..., Any]


class Router:
    """``add("GET", r"/sobjects/(?P<name>\\w+)", fn)``; ``match(method, path)`` -> (fn, kwargs) or a status."""

    def __init__(self) -> None:
        self._routes: list[tuple[frozenset[str], re.Pattern[str], Handler]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        self._routes.append((frozenset(methods.split()), re.compile(f"^{pattern}$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | int:
        """The handler and URL groups, or 405 when the path exists for other methods, or 404."""
        allowed = False
        for methods, pattern, handler in self._routes:
            m = pattern.match(path)
            if m is None:
                continue
            if method in methods or (method == "HEAD" and "GET" in methods):
                return handler, m.groupdict()
            allowed = True
        return 405 if allowed else 404
