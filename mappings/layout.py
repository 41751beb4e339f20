"""Where each CRM setting is shown: the subtabs and sections of the Salesforce setup guide's layout."""

from __future__ import annotations

from mappings.types import ActivityKind

TASK_GROUPS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "call": ("Call", ((ActivityKind.CALL, "Calls", "call"),)),
    "email": (
        "Email",
        (
            (ActivityKind.EMAIL_SENT, "Outgoing emails", "outgoing"),
            (ActivityKind.EMAIL_RECEIVED, "Incoming emails", "incoming"),
        ),
    ),
    "basic": ("Basic", ((ActivityKind.OTHER, "Basic (any other activity)", "basic"),)),
    "linkedin": (
        "LinkedIn",
        (
            (ActivityKind.LINKEDIN_MESSAGE, "Messages", "messages"),
            (ActivityKind.LINKEDIN_CONNECTION, "Connection Requests", "connection-requests"),
        ),
    ),
    "sms": ("SMS", ((ActivityKind.SMS, "SMS", "sms"),)),
}
"""Task Mappings subtabs: slug -> (label, its sections as (activity kind, title, anchor))."""

KIND_PLACE = {kind: (group, anchor) for group, (_, sections) in TASK_GROUPS.items() for kind, _, anchor in sections}
"""Where each activity kind's Task mapping is shown: (subtab slug, anchor of its section)."""

OBJECT_SLUGS = {"contact": "Contact", "lead": "Lead", "account": "Account"}
OBJECT_SUBTABS = {
    "Contact": (
        ("sequence", "Sequence Field Mappings"), ("defaults", "Creation Defaults"), ("sms", "SMS"),
        ("sync", "Data Sync Mappings"),
    ),
    "Account": (("defaults", "Creation Defaults"), ("sync", "Data Sync Mappings")),
}  # fmt: skip
OBJECT_SUBTABS["Lead"] = OBJECT_SUBTABS["Contact"]
OBJECT_PAGE_URLS = {
    "sequence": "crm_object_sequence", "defaults": "crm_object_defaults", "sms": "crm_object_sms",
    "sync": "crm_object_sync",
}  # fmt: skip
