"""Realistic activity for the demo workspace: prospects at real-sounding companies, sequences, calls and emails."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from activities.services.ingest import IngestResult, events_ingest
from integrations.models import Connection, ConnectionKind

FIRST = ("Maya", "Liam", "Sofia", "Noah", "Aisha", "Lucas", "Emma", "Omar", "Chloe", "Mateo", "Priya", "Jonas")
LAST = ("Chen", "Okafor", "Schmidt", "Garcia", "Nakamura", "Dubois", "Silva", "Kowalski", "Haddad", "Larsen")
COMPANIES = (
    ("Northwind Logistics", "northwind.example", "Logistics", "201-500"),
    ("Bluebird Health", "bluebird.example", "Hospital & Health Care", "1001-5000"),
    ("Quarry Analytics", "quarry.example", "Computer Software", "51-200"),
    ("Fjord Energy", "fjord.example", "Renewables & Environment", "501-1000"),
    ("Lumen Retail", "lumen.example", "Retail", "5001-10000"),
)
TITLES = ("VP Sales", "Head of RevOps", "Director of Marketing", "CTO", "Procurement Manager")
SEQUENCES = (("Outbound – Mid-market", ("Intro email", "Call", "LinkedIn touch", "Break-up email")),
             ("Event follow-up", ("Thank-you email", "Call", "Case study email")))  # fmt: skip
DISPOSITIONS = ("Connected", "Left voicemail", "No answer", "Meeting booked")


def _reps(workspace) -> list:
    """Members with their own Salesforce connection first (their writes can go out), else every member."""
    connected = Connection.objects.filter(workspace=workspace, kind=ConnectionKind.USER).values_list("user", flat=True)
    users = list(get_user_model().objects.filter(pk__in=connected))
    return users or list(get_user_model().objects.filter(memberships__workspace=workspace))


def demo_activity_generate(*, workspace, prospects: int = 8, seed: int | None = None) -> IngestResult:
    rng = random.Random(seed)
    reps = _reps(workspace)
    now = timezone.now()
    batch = uuid.uuid4().hex[:6]
    events: list[dict] = []
    for n in range(prospects):
        rep = rng.choice(reps)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name, domain, industry, size = rng.choice(COMPANIES)
        prospect = {
            "email": f"{first}.{last}.{batch}{n}@{domain}".lower(),
            "first_name": first,
            "last_name": last,
            "title": rng.choice(TITLES),
            "phone": f"+1 415 555 {rng.randint(1000, 9999)}",
            "linkedin_url": f"https://www.linkedin.com/in/{first}-{last}-{batch}{n}".lower(),
            "company": {"name": name, "domain": domain, "industry": industry, "size": size,
                        "linkedin_url": f"https://www.linkedin.com/company/{domain.split('.')[0]}"},
        }  # fmt: skip
        sequence, steps = rng.choice(SEQUENCES)
        start = now - timedelta(days=rng.randint(1, 10))
        events.append({"type": "enrollment", "event": "enrolled", "user": rep.email, "prospect": prospect,
                       "occurred_at": start.isoformat(), "sequence": {"name": sequence, "step": steps[0],
                                                                       "status": "Active"}})  # fmt: skip
        for i, step in enumerate(steps[: rng.randint(1, len(steps))]):
            at = start + timedelta(days=i, minutes=rng.randint(0, 300))
            kind = "call" if "Call" in step else "linkedin_message" if "LinkedIn" in step else "email_sent"
            event = {"type": "activity", "id": f"demo-{batch}-{n}-{i}", "kind": kind, "state": "completed",
                     "user": rep.email, "prospect": prospect, "subject": f"{sequence}: {step}",
                     "started_at": at.isoformat(), "completed_at": (at + timedelta(minutes=4)).isoformat()}  # fmt: skip
            if kind == "call":
                event["call"] = {"disposition": rng.choice(DISPOSITIONS), "duration_seconds": rng.randint(20, 900),
                                 "number_dialed": prospect["phone"], "notes": "Discussed current tooling."}  # fmt: skip
            elif kind == "email_sent":
                event["email"] = {"subject": step, "body_excerpt": f"Hi {first}, following up on {name}…"}
            events.append(event)
            if i:
                events.append({"type": "enrollment", "event": "step_changed", "user": rep.email,
                               "prospect": prospect, "occurred_at": at.isoformat(),
                               "sequence": {"name": sequence, "step": step}})  # fmt: skip
        if rng.random() < 0.15:
            events.append({"type": "opt_out", "channel": "sms", "prospect": prospect})
    return events_ingest(workspace=workspace, events=events)
