"""A requests transport for clients that insist on ``https://`` (simple-salesforce builds https URLs).

``sandbox_session(instance_url)`` returns a ``requests.Session`` whose adapter sends
``https://127.0.0.1:8765/...`` to ``http://127.0.0.1:8765/...``; every other host is untouched. Pass it to
``simple_salesforce.Salesforce(..., session=...)``. (Alternatively run the sandbox with ``--tls``.)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class SchemeRewriteAdapter(HTTPAdapter):
    """Sends ``https://{netloc}`` requests to ``http://{netloc}``."""

    def __init__(self, netloc: str, **kwargs) -> None:
        self.netloc = netloc
        super().__init__(**kwargs)

    def send(self, request, **kwargs):  # type: ignore[override]
        prefix = f"https://{self.netloc}"
        if request.url and request.url.startswith(prefix):
            request.url = "http://" + request.url[len("https://") :]
        return super().send(request, **kwargs)


def mount(session: requests.Session, instance_url: str) -> requests.Session:
    """Mount the rewrite on ``session`` for the sandbox host of ``instance_url`` (http or https form)."""
    netloc = urlsplit(instance_url).netloc
    if not netloc:
        raise ValueError(f"not a URL: {instance_url!r}")
    session.mount(f"https://{netloc}", SchemeRewriteAdapter(netloc))
    return session


def sandbox_session(instance_url: str, session: requests.Session | None = None) -> requests.Session:
    return mount(session or requests.Session(), instance_url)
