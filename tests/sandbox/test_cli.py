"""``python -m sandbox`` / ``manage.py sandbox`` as a process: banner, --seed-demo, --latency-ms, --state across
restarts, and one-line messages for start-up problems."""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from sandbox.state import State

ROOT = Path(__file__).resolve().parents[2]


def test_serves_seeds_and_saves_state_on_sigterm(tmp_path):
    state_file = tmp_path / "sandbox.state"
    log = tmp_path / "sandbox.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", "0", "--seed-demo", "--demo-accounts", "3",
             "--demo-contacts", "5", "--demo-leads", "2", "--state", str(state_file)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        url = None
        for _ in range(200):
            match = re.search(r"http://127\.0\.0\.1:\d+", log.read_text())
            if match:
                url = match.group(0)
                break
            time.sleep(0.05)
        assert url, log.read_text()
        listing = requests.get(f"{url}/_sandbox/", timeout=10).json()
        demo = next(o for o in listing["orgs"] if o["name"] == "demo")
        assert demo["objects"]["Contact"] == 5
        assert "admin@demo.sandbox / demo-admin-1" in log.read_text()
        requests.post(
            f"{url}/_sandbox/records",
            json={"org": "demo", "sobject": "Lead", "records": [{"LastName": "Saved", "Company": "C"}]},
            timeout=10,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "state saved" in log.read_text()
    saved = State.load(str(state_file)).org("demo")
    assert len(saved.records["Lead"]) == 3


def _start(args: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "manage.py", "sandbox", *args], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    for _ in range(300):
        match = re.search(r"http://127\.0\.0\.1:\d+", log.read_text())
        if match:
            return proc, match.group(0)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(log.read_text())


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def test_manage_py_sandbox_latency_and_state_across_restarts(tmp_path):
    state_file, log = tmp_path / "sandbox.state", tmp_path / "sandbox.log"
    proc, url = _start(["--port", "0", "--latency-ms", "150", "--state", str(state_file)], log)
    try:
        assert requests.get(f"{url}/_sandbox/latency", timeout=10).json() == {"latency_ms": 150}
        requests.post(f"{url}/_sandbox/orgs", json={"name": "kept"}, timeout=10).raise_for_status()
        tokens = requests.post(f"{url}/_sandbox/tokens", json={"org": "kept"}, timeout=10).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = requests.post(f"{url}/services/data/v62.0/sobjects/Account", json={"Name": "Survivor"},
                                headers=headers, timeout=10)  # fmt: skip
        assert created.status_code == 201 and created.elapsed.total_seconds() >= 0.15
    finally:
        _stop(proc)
    assert "state saved" in log.read_text()

    proc, url = _start(["--port", "0", "--state", str(state_file)], log)
    try:
        # Records, the org's credentials and issued tokens all survive the restart.
        resp = requests.get(f"{url}/services/data/v62.0/query", params={"q": "SELECT Name FROM Account"},
                            headers=headers, timeout=10)  # fmt: skip
        assert resp.status_code == 200, resp.text
        assert [r["Name"] for r in resp.json()["records"]] == ["Survivor"]
        assert resp.json()["records"][0]["attributes"]["url"].endswith(created.json()["id"])
        assert requests.get(f"{url}/_sandbox/latency", timeout=10).json() == {"latency_ms": 0}  # an option, not state
    finally:
        _stop(proc)


def test_start_up_problems_are_one_line_messages(tmp_path):
    bad_state = tmp_path / "bad.state"
    bad_state.write_text("not a state file")
    managed = subprocess.run([sys.executable, "manage.py", "sandbox", "--port", "0", "--state", str(bad_state)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert managed.returncode == 1 and f"cannot read the state file {bad_state}" in managed.stderr
    assert "Traceback" not in managed.stderr
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        for args, expected in (
            (["--state", str(bad_state)], "cannot read the state file"),
            (["--latency-ms", "-5"], "--latency-ms must be >= 0"),
            (["--port", str(busy.getsockname()[1])], "cannot listen on 127.0.0.1"),
        ):
            run = subprocess.run([sys.executable, "-m", "sandbox", "--port", "0", *args], cwd=ROOT,
                                 capture_output=True, text=True, timeout=60)  # fmt: skip
            assert run.returncode == 2 and expected in run.stderr, (args, run.stderr)
            assert "Traceback" not in run.stderr
    finally:
        busy.close()
