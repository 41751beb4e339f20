"""``python -m sandbox`` as a process: banner with the URL, --seed-demo, --state saved on SIGTERM."""

import re
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
