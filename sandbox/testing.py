"""Test support: ``SandboxServer`` (an in-process sandbox on a free port) and pytest fixtures.

Register with ``pytest_plugins = ["sandbox.testing"]``. Fixtures:

- ``sandbox`` (session): a started ``SandboxServer``; ``.url``, ``.control`` (``ControlClient``).
- ``sandbox_org`` (function): a fresh org per test (``SandboxOrg``: org_id, name, login_url, instance_url,
  consumer_key, consumer_secret, callback_urls, users, ``admin_user``, ``rep_user``, ``token()``,
  ``rest_session()``, ``simple_salesforce()``); deleted after the test.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.client import ControlAPIError, ControlClient, SandboxOrg
from sandbox.server import SandboxApp, SandboxHTTPServer, make_server
from sandbox.state import State

_org_seq = itertools.count(1)


class SandboxServer:
    """Runs the sandbox in a background thread: ``SandboxServer().start()`` -> ``.url`` ... ``.stop()``.

    ``tls=True`` serves https with a self-signed certificate (``.cert_path`` for ``verify=``).
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, tls: bool = False, latency_ms: int = 0,
        state: State | None = None,
    ) -> None:  # fmt: skip
        self.host, self.port, self.tls = host, port, tls
        self.app = SandboxApp(state, latency_ms=latency_ms)
        self.cert_path: str | None = None
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        context = None
        if self.tls:
            from sandbox.tls import self_signed, server_context

            self.cert_path, key_path = self_signed()
            context = server_context(self.cert_path, key_path)
        self._server = make_server(self.app, self.host, self.port, ssl_context=context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return self.app.base_url

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_org(sandbox: SandboxServer) -> Iterator[SandboxOrg]:
    control = sandbox.control
    org = control.create_org(name=f"test-org-{next(_org_seq)}")
    try:
        yield org
    finally:
        with contextlib.suppress(ControlAPIError):  # a test may have reset the sandbox
            control.delete_org(org.org_id)
