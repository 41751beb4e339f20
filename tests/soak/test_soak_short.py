"""The short soak (1,000 activities over 2 minutes, soak/): faults, a revoked and reconnected rep, killed workers and
clusters, on PostgreSQL and Redis. It asserts only what must hold however slow the machine is: nothing acknowledged
is lost, nothing is written twice (counted in the sandbox). Speed is reported by `make soak`, never asserted.

The product's time constants are compressed so that the retries and a killed worker's lapsed claims settle within
the test (a 40 s claim instead of 300, a 2 s backoff base instead of 30); what is retried and how is unchanged. The
worker supervisor keeps its 150 s: on a busy machine a cluster may need more than a short limit to start its first task,
and would then be restarted for ever.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
COMPRESSED = {"SOAK_WRITEBACK_LEASE_S": "40", "SOAK_Q_TIMEOUT_S": "30", "SOAK_Q_RETRY_S": "45",
              "SOAK_WRITEBACK_BACKOFF_BASE_S": "2", "SOAK_WRITEBACK_BACKOFF_CAP_S": "20"}  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"),
        reason="the soak runs on PostgreSQL and Redis (DATABASE_URL=postgres://..., REDIS_URL); CI's second suite "
        "(.ci/run) has both",
    ),
]


def test_short_soak_loses_nothing_and_writes_nothing_twice(tmp_path):
    env = {**os.environ, **COMPRESSED, "SOAK_LOG_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the soak's processes use soak.settings, not the test settings
    soak = subprocess.Popen([sys.executable, "-m", "soak", "--short", "--drain-timeout-s", "900"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        stdout, stderr = soak.communicate(timeout=1800)
    except subprocess.TimeoutExpired:
        soak.terminate()  # it stops what it started and drops its database
        stdout, stderr = soak.communicate(timeout=120)
        pytest.fail(f"the soak did not finish in 30 minutes:\n{stderr[-4000:]}")
    assert soak.returncode == 0, stderr[-4000:]
    result = json.loads(stdout.strip().splitlines()[-1])
    summary = json.dumps({k: v for k, v in result.items() if k != "config"}, indent=1)
    print(json.dumps(result))  # the figures, for `pytest -s` (speed is never asserted)
    assert result["activities"] == 1000, summary  # every event acknowledged
    assert result["lost"] == 0, summary
    assert result["enrollments"]["lost"] == 0, summary
    assert result["duplicated"] == 0, summary
    assert result["duplicated_prospects"] == 0, summary
    assert result["written"] + result["failed_with_reason"] == result["activities"], summary
    assert result["worker_kills"] + result["cluster_restarts"] > 0, summary  # the chaos really struck
