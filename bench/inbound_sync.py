"""`inbound_sync`: full sync of 100,000 then 1,000,000 Contacts from the sandbox, against a baseline in the same run.

- The sandbox runs in its own process (`python -m sandbox --port 0`); Contacts are loaded with its fast bulk loader.
- Each measurement runs in a fresh child process on a throwaway SQLite file (migrated once, then copied), so
  `peak_rss_mb` is that process's VmHWM: the full sync service (Bulk API 2.0 CSV pages streamed into batched
  upserts) or the baseline (simple-salesforce `query_all_iter`, one ORM `save()` per row, on `baseline_sample`
  rows: one-by-one saves of a million rows would take the better part of an hour).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = tuple(int(n) for n in os.environ.get("BENCH_INBOUND_SIZES", "100000,1000000").split(","))
BASELINE_SAMPLE = 10_000
LOAD_CHUNK = 100_000
SETTINGS = "config.settings.test"  # tasks inline, quiet logs; DATABASE_URL points at the throwaway file


def _log(message: str) -> None:
    print(f"bench.inbound_sync: {message}", file=sys.stderr, flush=True)


def _start_sandbox(workdir: Path) -> tuple[subprocess.Popen, str]:
    log_path = workdir / "sandbox.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "sandbox", "--port", "0"],
        cwd=ROOT,
        stdout=open(log_path, "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = log_path.read_text()
        for token in text.split():
            if token.startswith("http://127.0.0.1:"):
                return proc, token.rstrip("/.,")
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"sandbox did not start: {log_path.read_text()[-500:]}")


def _load_contacts(control, org_id: str, start: int, count: int) -> None:
    fields = ["FirstName", "LastName", "Email", "Title"]
    for offset in range(start, start + count, LOAD_CHUNK):
        n = min(LOAD_CHUNK, start + count - offset)
        rows = [[f"First{i}", f"Last{i:07d}", f"person{i}@example.test", "Buyer"] for i in range(offset, offset + n)]
        control.load_records(org_id, "Contact", fields=fields, rows=rows, return_ids=False)


def _child_env(db_path: Path) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": f"sqlite:///{db_path}"}


def _measure(mode: str, db_path: Path, sandbox_url: str, org_id: str, limit: int) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.inbound_sync", mode, sandbox_url, org_id, str(limit)],
        cwd=ROOT,
        env=_child_env(db_path),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    from sandbox.client import ControlClient

    workdir = Path(tempfile.mkdtemp(prefix="bench-inbound-"))
    template_db = workdir / "template.sqlite3"
    sandbox, url = _start_sandbox(workdir)
    try:
        _log(f"sandbox at {url}; migrating {template_db}")
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=_child_env(template_db), check=True,
        )  # fmt: skip
        control = ControlClient(url)
        org = control.create_org(name="bench-inbound")
        control.settings(org.org_id, api_limit=5_000_000)
        result: dict = {"name": "inbound_sync", "database": "sqlite", "sizes": {}, "baseline_sample": BASELINE_SAMPLE}
        loaded = 0
        for size in SIZES:
            started = time.perf_counter()
            _load_contacts(control, org.org_id, loaded, size - loaded)
            loaded = size
            _log(f"loaded {size:,} contacts in {time.perf_counter() - started:.1f}s")
            figures = {}
            for mode, limit in (("full", size), ("baseline", BASELINE_SAMPLE)):
                db = workdir / f"{mode}-{size}.sqlite3"
                shutil.copy(template_db, db)
                figures[mode] = _measure(mode, db, url, org.org_id, limit)
                db.unlink()
                _log(f"{size:,} {mode}: {figures[mode]}")
            full, base = figures["full"], figures["baseline"]
            result["sizes"][str(size)] = {
                "records": full["records"],
                "records_per_s": full["records_per_s"],
                "peak_rss_mb": full["peak_rss_mb"],
                "api_calls": full["api_calls"],
                "seconds": full["seconds"],
                "baseline": base,
                "speedup_vs_baseline": round(full["records_per_s"] / base["records_per_s"], 1),
            }
        small, large = (result["sizes"][str(s)] for s in SIZES)
        result["records_per_s"] = large["records_per_s"]
        result["peak_rss_mb"] = {str(s): result["sizes"][str(s)]["peak_rss_mb"] for s in SIZES}
        result["rss_growth_mb_100k_to_1m"] = round(large["peak_rss_mb"] - small["peak_rss_mb"], 1)
        result["api_calls"] = {str(s): result["sizes"][str(s)]["api_calls"] for s in SIZES}
        result["speedup_vs_baseline"] = large["speedup_vs_baseline"]
        result["targets"] = {
            "records_per_s>=25000": large["records_per_s"] >= 25_000 and small["records_per_s"] >= 25_000,
            "peak_rss_mb<300": max(small["peak_rss_mb"], large["peak_rss_mb"]) < 300,
            "rss_flat(<=20%)": large["peak_rss_mb"] <= small["peak_rss_mb"] * 1.2,
            "speedup>=20x": min(small["speedup_vs_baseline"], large["speedup_vs_baseline"]) >= 20,
        }
        return result
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


# -- child process side -------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child_setup(sandbox_url: str, org_id: str):
    import django

    django.setup()
    from integrations.models import Connection, ConnectionKind, OAuthCredential
    from sandbox.client import ControlClient
    from workspaces.models import Workspace

    token = ControlClient(sandbox_url).token(org_id)
    workspace = Workspace.objects.create(name="Bench", slug="bench")
    connection = Connection.objects.create(
        workspace=workspace, provider="salesforce", kind=ConnectionKind.ADMIN, login_url=sandbox_url,
        instance_url=token.get("instance_url") or sandbox_url, org_id=org_id[:18],
    )  # fmt: skip
    OAuthCredential.objects.create(connection=connection, access_token=token["access_token"])
    return workspace, connection, token


def _child_full(sandbox_url: str, org_id: str, limit: int) -> dict:
    workspace, _connection, _token = _child_setup(sandbox_url, org_id)
    from sync.models import SyncedRecord
    from sync.services.runs import full_sync_start, run_execute

    started = time.perf_counter()
    run = full_sync_start(workspace=workspace, sobjects=["Contact"])  # test settings: django-q runs it inline
    run_execute(run_id=run.pk)  # (a no-op when it already ran)
    run.refresh_from_db()
    seconds = time.perf_counter() - started
    if run.status != "succeeded":
        raise RuntimeError(f"full sync {run.status}: {run.error_code} {run.error_message}")
    records = SyncedRecord.objects.filter(workspace=workspace, sobject="Contact").count()
    return {
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds),
        "peak_rss_mb": _peak_rss_mb(),
        "api_calls": run.api_calls,
    }


def _child_baseline(sandbox_url: str, org_id: str, limit: int) -> dict:
    workspace, connection, token = _child_setup(sandbox_url, org_id)
    from django.utils import timezone
    from simple_salesforce import Salesforce

    from sandbox.transport import sandbox_session
    from sync.models import SyncedRecord

    instance_url = connection.instance_url
    session = sandbox_session(instance_url)
    calls = {"n": 0}
    session.hooks["response"].append(lambda response, *a, **k: calls.__setitem__("n", calls["n"] + 1))
    sf = Salesforce(instance_url=instance_url, session_id=token["access_token"], session=session, version="62.0")
    soql = "SELECT Id, IsDeleted, SystemModstamp, CreatedDate, Name, Email, OwnerId, Title FROM Contact"
    started = time.perf_counter()
    done = 0
    for record in sf.query_all_iter(soql):
        SyncedRecord(
            workspace=workspace, sobject="Contact", sf_id=record["Id"], name=record["Name"] or "",
            email=record["Email"] or "", owner_id=record["OwnerId"] or "",
            system_modstamp=record["SystemModstamp"], created_date=record["CreatedDate"],
            is_deleted=record["IsDeleted"], data={"Title": record["Title"]}, synced_at=timezone.now(),
        ).save()  # fmt: skip
        done += 1
        if done >= limit:
            break
    seconds = time.perf_counter() - started
    return {
        "records": done,
        "seconds": round(seconds, 2),
        "records_per_s": round(done / seconds),
        "peak_rss_mb": _peak_rss_mb(),
        "api_calls": calls["n"],
    }


if __name__ == "__main__":
    mode, url, org, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    child = {"full": _child_full, "baseline": _child_baseline}[mode]
    print(json.dumps(child(url, org, limit)), flush=True)
