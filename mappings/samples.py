"""Sample data the previews run through the payload builders: realistic, fixed, so previews are comparable."""

from __future__ import annotations

from datetime import UTC, datetime

from mappings.payloads import ActivityData, CompanyData, EnrollmentData, ProspectData
from mappings.types import ActivityKind

SAMPLE_TIME = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)

_COMMON = {
    "sequence_name": "Q2 Outbound – Finance leaders",
    "step_name": "Step 3 · Follow-up",
    "occurred_at": SAMPLE_TIME,
}
_BY_KIND = {
    ActivityKind.CALL: {
        "subject": "Call with Ada Lovelace",
        "notes": "Discussed the pilot; she wants pricing for 40 seats. Follow up Tuesday.",
        "recording_url": "https://calls.switchboard.example/recordings/8f3a2c",
        "number_dialed": "+1 415 555 0132",
        "disposition": "Connected",
        "duration_seconds": 312,
    },
    ActivityKind.EMAIL_SENT: {
        "subject": "Quick question about Q2 planning",
        "body_excerpt": "Hi Ada, teams like yours cut month-end close by two days with …",
    },
    ActivityKind.EMAIL_RECEIVED: {
        "subject": "Re: Quick question about Q2 planning",
        "body_excerpt": "Thanks for reaching out – can we talk next week?",
    },
    ActivityKind.LINKEDIN_MESSAGE: {
        "subject": "LinkedIn message to Ada Lovelace",
        "body_excerpt": "Hi Ada, loved your post on analytical engines …",
    },
    ActivityKind.LINKEDIN_CONNECTION: {
        "subject": "LinkedIn connection request to Ada Lovelace",
        "body_excerpt": "Hi Ada, I'd like to add you to my network.",
    },
    ActivityKind.SMS: {"subject": "SMS to Ada Lovelace", "body_excerpt": "Hi Ada, are you free for 10 minutes today?"},
    ActivityKind.OTHER: {"subject": "Manual task: send case study", "notes": "Send the fintech case study."},
}


def sample_activity(kind: str, *, state: str = "completed", rep_name: str = "", rep_email: str = "") -> ActivityData:
    return ActivityData(
        kind=kind,
        state="open" if state == "open" else "completed",
        rep_name=rep_name or "Sam Rep",
        rep_email=rep_email or "sam.rep@switchboard.example",
        prospect=sample_prospect(),
        **_COMMON,
        **_BY_KIND.get(kind, _BY_KIND[ActivityKind.OTHER]),
    )


def sample_prospect() -> ProspectData:
    return ProspectData(
        email="ada.lovelace@analytical.example",
        first_name="Ada",
        last_name="Lovelace",
        title="VP Finance",
        phone="+1 415 555 0132",
        linkedin_url="https://www.linkedin.com/in/ada-lovelace",
        company=CompanyData(
            name="Analytical Engines Ltd",
            website="https://analytical.example",
            industry="Technology",
            employee_count=240,
            location="London, United Kingdom",
            linkedin_url="https://www.linkedin.com/company/analytical-engines",
        ),
    )


def sample_enrollment() -> EnrollmentData:
    return EnrollmentData(
        sequence_name=_COMMON["sequence_name"], step_name=_COMMON["step_name"], status="Active",
        sequenced_by_user_id="005000000000001AAA",
    )  # fmt: skip
