"""Command line for the sandbox server, shared by ``python -m sandbox`` and ``manage.py sandbox``."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from typing import TextIO

from sandbox.server import SandboxApp, make_server
from sandbox.state import State


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one; default 8765)")
    parser.add_argument("--state", metavar="FILE", help="load state from FILE at start, save it there on exit")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every API response")
    parser.add_argument("--tls", action="store_true", help="serve https with a self-signed certificate")
    parser.add_argument("--seed-demo", action="store_true", help="create and fill the 'demo' org if absent")
    parser.add_argument("--demo-accounts", type=int, default=200)
    parser.add_argument("--demo-contacts", type=int, default=1000)
    parser.add_argument("--demo-leads", type=int, default=500)
    parser.add_argument("--no-demo-fields", action="store_true", help="demo org without the recommended sb_ fields")
    parser.add_argument("--autosave-s", type=int, default=60, help="with --state, also save every N seconds")


class StartError(Exception):
    """A start-up problem the person running the command can fix (bad option, unreadable state, busy port)."""


def _check(opts: argparse.Namespace) -> None:
    for name in ("latency_ms", "autosave_s", "demo_accounts", "demo_contacts", "demo_leads"):
        if getattr(opts, name) < 0:
            raise StartError(f"--{name.replace('_', '-')} must be >= 0")
    if not 0 <= opts.port <= 65535:
        raise StartError("--port must be between 0 and 65535")


def _load_state(path: str | None) -> State | None:
    if not path or not os.path.exists(path):
        return None
    try:
        return State.load(path)
    except Exception as exc:  # pickle raises many types on a foreign or truncated file
        raise StartError(f"cannot read the state file {path}: {exc.__class__.__name__}: {exc}. "
                         "Move it away to start with an empty sandbox.") from None  # fmt: skip


def serve(opts: argparse.Namespace, out: TextIO = sys.stdout) -> None:
    """Run until SIGINT/SIGTERM. Raises ``StartError`` for problems worth a one-line message."""
    _check(opts)
    # Records are many small acyclic dicts; frequent cyclic-GC passes over them only cost latency.
    gc.set_threshold(100_000, 50, 100)
    state = _load_state(opts.state)

    def seed_demo(app: SandboxApp) -> None:
        if opts.seed_demo:
            from sandbox.seed import ensure_demo_org

            ensure_demo_org(app.state, custom_fields=not opts.no_demo_fields, accounts=opts.demo_accounts,
                            contacts=opts.demo_contacts, leads=opts.demo_leads)  # fmt: skip

    app = SandboxApp(state, latency_ms=opts.latency_ms, state_file=opts.state, on_reset=seed_demo)
    context = cert_path = None
    if opts.tls:
        from sandbox.tls import self_signed, server_context

        cert_path, key_path = self_signed()
        context = server_context(cert_path, key_path)
    try:
        server = make_server(app, opts.host, opts.port, ssl_context=context)
    except OSError as exc:
        raise StartError(f"cannot listen on {opts.host}:{opts.port}: {exc.strerror or exc}") from None
    seed_demo(app)

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    say(f"Salesforce sandbox on {app.base_url}  (control API: {app.base_url}/_sandbox/)")
    if cert_path:
        say(f"TLS certificate (use as verify=): {cert_path}")
    demo = app.state.org("demo")
    if demo is not None:
        users = ", ".join(f"{u.username} / {u.password}" for u in demo.users.values() if u.role in ("admin", "rep"))
        say(f"demo org {demo.id}: consumer key {demo.app.consumer_key}; users: {users}")

    stop = threading.Event()
    if opts.state and opts.autosave_s > 0:

        def autosave() -> None:
            while not stop.wait(opts.autosave_s):
                app.save()

        threading.Thread(target=autosave, name="sandbox-autosave", daemon=True).start()

    def on_term(signum, frame) -> None:  # honcho and friends send SIGTERM
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term) if threading.current_thread() is threading.main_thread() else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        if opts.state:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the save short
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
            app.save()
            say(f"state saved to {opts.state}")
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Salesforce org emulator")
    add_arguments(parser)
    try:
        serve(parser.parse_args(argv))
    except StartError as exc:
        parser.exit(2, f"sandbox: {exc}\n")
