"""A Salesforce client that remembers each call it made, so every job's attempt row can cite its call."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from integrations.providers.salesforce.client import SalesforceClient

EXCERPT_LIMIT = 1000
_SECRETS = (
    (re.compile(r"Bearer\s+[^\s\"']+", re.I), "Bearer [redacted]"),
    (
        re.compile(r"\"(access_token|refresh_token|client_secret|code_verifier)\"\s*:\s*\"[^\"]*\"", re.I),
        r'"\1": "[redacted]"',
    ),
    (re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+"), "[redacted session]"),
)


def secrets_strip(text: str, *, limit: int = EXCERPT_LIMIT) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class CallRecord:
    method: str
    path: str
    started_at: float
    duration_ms: int = 0
    status_code: int | None = None
    excerpt: str = ""

    @property
    def summary(self) -> str:
        return f"{self.method} {self.path}"[:255]


class RecordingClient(SalesforceClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: list[CallRecord] = []

    def send(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        path = urlsplit(path_or_url).path if path_or_url.startswith("http") else path_or_url.split("?")[0]
        record = CallRecord(method=method, path=path, started_at=time.monotonic())
        self.calls.append(record)
        try:
            return super().send(method, path_or_url, **kwargs)
        finally:
            record.duration_ms = int((time.monotonic() - record.started_at) * 1000)

    def on_response(self, response: requests.Response) -> None:
        super().on_response(response)
        if self.calls:
            self.calls[-1].status_code = response.status_code
            if response.status_code >= 300:
                self.calls[-1].excerpt = secrets_strip(response.text or "")

    @property
    def last_call(self) -> CallRecord | None:
        return self.calls[-1] if self.calls else None
