"""Sandbox benchmarks for ``make bench``: a 2,000-record REST query page and Bulk 2.0 CSV download speed.

Measured over real HTTP (keep-alive) against a sandbox subprocess (``python -m sandbox``) seeded with:
``QUERY_CONTACTS`` Contacts (each with an Account) for the query page, ``BULK_CONTACTS`` for Bulk 2.0.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import requests

from sandbox.client import ControlClient

QUERY_CONTACTS = 20_000
BULK_CONTACTS = 200_000
QUERY = "SELECT Id, FirstName, LastName, Email, Title, Account.Name, SystemModstamp FROM Contact"
BULK_QUERY = "SELECT Id, FirstName, LastName, Email, Title, AccountId, SystemModstamp FROM Contact"


def _seed(server: Server, name: str, contacts: int) -> tuple[str, dict[str, str]]:
    control = server.control
    org = control.create_org(name=name)
    accounts = control.load_records(
        org.org_id,
        "Account",
        fields=["Name", "Industry"],
        rows=[[f"Account {i}", "Technology"] for i in range(max(1, contacts // 10))],
    )
    rows = [[f"First{i}", f"Last{i}", f"person{i}@example.com", "VP Sales", accounts[i % len(accounts)]]
            for i in range(contacts)]  # fmt: skip
    control.load_records(org.org_id, "Contact", fields=["FirstName", "LastName", "Email", "Title", "AccountId"],
                         rows=rows, return_ids=False)  # fmt: skip
    token = org.token(org.admin_user)["access_token"]
    return org.org_id, {"Authorization": f"Bearer {token}"}


def query_page_ms(server: Server, http: requests.Session, headers: dict[str, str]) -> dict[str, float]:
    """Time until a page's last byte arrives (client-side JSON parsing is not the sandbox's cost)."""
    base = server.url
    firsts, mores = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        resp = http.get(f"{base}/services/data/v62.0/query", params={"q": QUERY}, headers=headers)
        firsts.append((time.perf_counter() - t0) * 1000)
        page = resp.json()
        assert len(page["records"]) == 2000
        while not page["done"]:
            t0 = time.perf_counter()
            resp = http.get(base + page["nextRecordsUrl"], headers=headers)
            mores.append((time.perf_counter() - t0) * 1000)
            page = resp.json()
    return {
        "sandbox_query_page_ms": round(statistics.median(firsts + mores), 2),
        "sandbox_query_first_page_ms": round(statistics.median(firsts), 2),
        "sandbox_query_more_page_ms": round(statistics.median(mores), 2),
    }


def bulk_records_per_s(server: Server, http: requests.Session, headers: dict[str, str]) -> dict[str, float]:
    base = f"{server.url}/services/data/v62.0/jobs/query"
    t0 = time.perf_counter()
    job = http.post(base, json={"operation": "query", "query": BULK_QUERY}, headers=headers).json()
    while http.get(f"{base}/{job['id']}", headers=headers).json()["state"] != "JobComplete":
        time.sleep(0.01)
    total, locator = 0, None
    while True:
        params: dict[str, Any] = {"maxRecords": 50_000}
        if locator:
            params["locator"] = locator
        resp = http.get(f"{base}/{job['id']}/results", params=params, headers=headers)
        total += int(resp.headers["Sforce-NumberOfRecords"])
        locator = resp.headers["Sforce-Locator"]
        if locator == "null":
            break
    elapsed = time.perf_counter() - t0
    assert total == BULK_CONTACTS
    return {"sandbox_bulk_records_per_s": round(total / elapsed), "sandbox_bulk_seconds": round(elapsed, 3)}


def load_speed(server: Server) -> dict[str, float]:
    control = server.control
    org = control.create_org(name="bench-load")
    rows = [[f"F{i}", f"L{i}", f"p{i}@example.com"] for i in range(100_000)]
    t0 = time.perf_counter()
    control.load_records(org.org_id, "Contact", fields=["FirstName", "LastName", "Email"], rows=rows,
                         return_ids=False)  # fmt: skip
    return {"sandbox_load_records_per_s": round(len(rows) / (time.perf_counter() - t0))}


class Server:
    """The sandbox in its own process (``python -m sandbox``), as ``make run`` starts it."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "sandbox", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{self.url}/_sandbox/latency", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.05)
        self.control = ControlClient(self.url)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def baseline(page: list[dict[str, Any]], rows: int = 200_000) -> dict[str, float]:
    """Floor figures in this process: encoding a 2,000-record page as JSON, writing CSV rows with ``csv``."""
    encodes = []
    for _ in range(5):
        t0 = time.perf_counter()
        json.dumps({"totalSize": len(page), "done": True, "records": page}, separators=(",", ":"))
        encodes.append((time.perf_counter() - t0) * 1000)
    sample = [["003000000000001AAA", "First", "Last", "p@example.com", "VP", "001000000000001AAA", "2024"]] * rows
    t0 = time.perf_counter()
    csv.writer(io.StringIO(), quoting=csv.QUOTE_ALL).writerows(sample)
    return {
        "baseline_json_page_encode_ms": round(statistics.median(encodes), 2),
        "baseline_csv_write_records_per_s": round(rows / (time.perf_counter() - t0)),
    }


def run() -> list[dict[str, Any]]:
    print(f"bench: sandbox: seeding {QUERY_CONTACTS:,} + {BULK_CONTACTS:,} Contacts", file=sys.stderr, flush=True)
    with Server() as server:
        http = requests.Session()
        http.trust_env = False
        _org, headers = _seed(server, "bench-query", QUERY_CONTACTS)
        result: dict[str, Any] = {"name": "sandbox", "query_org_contacts": QUERY_CONTACTS,
                                  "bulk_org_contacts": BULK_CONTACTS}  # fmt: skip
        result.update(query_page_ms(server, http, headers))
        page = http.get(f"{server.url}/services/data/v62.0/query", params={"q": QUERY}, headers=headers).json()
        result.update(baseline(page["records"]))
        _org, bulk_headers = _seed(server, "bench-bulk", BULK_CONTACTS)
        result.update(bulk_records_per_s(server, http, bulk_headers))
        result.update(load_speed(server))
    result.update(target_query_page_ms=50, target_bulk_records_per_s=100_000)
    return [result]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
