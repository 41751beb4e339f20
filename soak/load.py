"""The soak's events and the client that sends them: one event per POST at a steady rate, and the burst as concurrent
batches of at most 1,000 (the events API's limit). A client that is careful, as an integration should be: a POST
that fails with a connection error or a 5xx is sent again with the same Idempotency-Key."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from soak.services import log

KINDS = ("call", "email_sent", "linkedin_message")
BATCH_MAX = 1000


@dataclass
class Plan:
    prospects: list[dict]  # {"email", "first_name", "last_name", "company"?, "rep"}
    existing: list[dict]  # the prospects already in the org
    steady: list[dict]  # events in sending order; each has "_key" (activity id or enrollment step) and "_type"
    burst: list[dict]

    @property
    def activity_keys(self) -> set[str]:
        return {e["_key"] for e in self.steady + self.burst if e["_type"] == "activity"}


def plan_make(config, rep_emails: list[str]) -> Plan:
    rng = random.Random(config.seed)
    count = max(config.reps * 2, config.activities // 5)
    prospects = []
    for n in range(count):
        rep = n % len(rep_emails)
        if n < config.existing_contacts:
            prospects.append({"email": f"existing{n}@customer.example", "first_name": "Existing",
                              "last_name": f"Contact {n}", "rep": rep})  # fmt: skip
        else:
            company = {"name": f"Prospect Co {n % 97}", "domain": f"prospect{n % 97}.example"}
            prospects.append({"email": f"new{n}@prospect{n % 97}.example", "first_name": "New",
                              "last_name": f"Prospect {n}", "rep": rep, "company": company})  # fmt: skip
    activities = []
    for n in range(config.activities):
        p = prospects[rng.randrange(count)]
        kind = KINDS[n % len(KINDS)]
        event = {"type": "activity", "id": f"soak-{n}", "kind": kind, "state": "completed",
                 "user": rep_emails[p["rep"]], "prospect": _prospect(p), "subject": f"Soak {kind} {n}",
                 "_key": f"soak-{n}", "_type": "activity"}  # fmt: skip
        if kind == "call":
            event["call"] = {"duration_seconds": 30 + n % 600, "disposition": "Connected", "notes": f"Soak call {n}"}
        activities.append(event)
    enrollments, enrolled = [], set()
    for n in range(config.enrollments):
        index = rng.randrange(count)
        p, sequence = prospects[index], f"Soak sequence {index % 3}"
        first = (index, sequence) not in enrolled
        enrolled.add((index, sequence))
        enrollments.append({"type": "enrollment", "event": "enrolled" if first else "step_changed",
                            "user": rep_emails[p["rep"]], "prospect": _prospect(p),
                            "sequence": {"name": sequence, "step": f"Step {n}", "status": "Active"},
                            "_key": f"Step {n}", "_type": "enrollment", "_email": p["email"]})  # fmt: skip
    split = config.activities - config.burst
    steady = activities[:split] + enrollments
    rng.shuffle(steady)
    existing = list(prospects[: config.existing_contacts])
    return Plan(prospects=prospects, existing=existing, steady=steady, burst=activities[split:])


def _prospect(p: dict) -> dict:
    return {k: v for k, v in p.items() if k != "rep"}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _wire(event: dict) -> dict:
    """The event as sent: without our bookkeeping, stamped with the moment it happened (now)."""
    body = {k: v for k, v in event.items() if not k.startswith("_")}
    body["occurred_at" if event["_type"] == "enrollment" else "completed_at"] = _now_iso()
    return body


@dataclass
class Poster:
    api_url: str  # .../api/v1
    api_key: str
    sent: dict[str, float] = field(default_factory=dict)  # key -> epoch seconds of the first send
    acked: dict[str, str] = field(default_factory=dict)  # key -> "activity" | "enrollment"
    refused: list[dict] = field(default_factory=list)
    retries: int = 0
    answers: Counter = field(default_factory=Counter)  # every answer that was not 202, by status ("error": none)
    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.local.session.headers["Authorization"] = f"Bearer {self.api_key}"
        return self.local.session

    def _post(self, path: str, body: dict, key: str, events: list[dict]) -> None:
        with self.lock:
            for e in events:
                self.sent.setdefault(e["_key"], time.time())
        status, text = None, ""
        for attempt in range(8):
            try:
                resp = self._session().post(f"{self.api_url}{path}", json=body, headers={"Idempotency-Key": key},
                                            timeout=120)  # fmt: skip
                status, text = resp.status_code, resp.text[:300]
            except requests.RequestException as exc:
                status, text = None, str(exc)[:300]
            if status == 202:
                with self.lock:
                    for e in events:
                        self.acked[e["_key"]] = e["_type"]
                return
            with self.lock:
                self.answers[str(status or "error")] += 1
            # 409 says another request with this key is being processed: once it is, the same key gets its answer.
            if status is not None and status < 500 and status not in (409, 429):
                break
            with self.lock:
                self.retries += 1
            time.sleep(min(8.0, 0.5 * 2**attempt))
        with self.lock:
            self.refused.append({"key": key, "status": status, "answer": text})
        log(f"event {key} not acknowledged: {status} {text[:120]}")

    def post_event(self, event: dict) -> None:
        self._post("/events", _wire(event), event["_key"], [event])

    def post_batch(self, events: list[dict], key: str) -> None:
        self._post("/events/batch", {"events": [_wire(e) for e in events]}, key, events)

    def steady(self, events: list[dict], duration_s: float, threads: int) -> None:
        """Each event at its own moment, evenly over `duration_s`; returns once every POST has finished."""
        started = time.monotonic()
        gap = duration_s / max(1, len(events))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="poster") as pool:
            futures = []
            for n, event in enumerate(events):
                time.sleep(max(0.0, started + n * gap - time.monotonic()))
                futures.append(pool.submit(self.post_event, event))
            wait(futures)
        behind = time.monotonic() - started - duration_s
        if behind > max(5.0, 0.05 * duration_s):
            log(f"the steady load ran {behind:.0f}s behind its schedule (the web server could not keep up)")

    def burst(self, events: list[dict]) -> None:
        chunks = [events[i : i + BATCH_MAX] for i in range(0, len(events), BATCH_MAX)]
        with ThreadPoolExecutor(max_workers=max(1, len(chunks)), thread_name_prefix="burst") as pool:
            wait([pool.submit(self.post_batch, chunk, f"soak-burst-{n}") for n, chunk in enumerate(chunks)])
