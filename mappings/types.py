"""Enums and variable catalogues shared by the settings pages, the payload builders and the writeback engine."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class ActivityKind(models.TextChoices):
    """What happened. Each kind has its own Task mapping; `OTHER` is the "Basic" catch-all."""

    CALL = "call", "Call"
    EMAIL_SENT = "email_sent", "Email sent"
    EMAIL_RECEIVED = "email_received", "Email received"
    LINKEDIN_MESSAGE = "linkedin_message", "LinkedIn message"
    LINKEDIN_CONNECTION = "linkedin_connection", "LinkedIn connection request"
    SMS = "sms", "SMS"
    OTHER = "other", "Basic (any other activity)"


class ProspectObject(models.TextChoices):
    """Salesforce objects a prospect can be (sequence fields, opt-out, new prospects)."""

    CONTACT = "Contact", "Contact"
    LEAD = "Lead", "Lead"


class CreationObject(models.TextChoices):
    """Objects we create records of, and whose inbound custom fields we sync."""

    ACCOUNT = "Account", "Account"
    CONTACT = "Contact", "Contact"
    LEAD = "Lead", "Lead"


class ValueSource(models.TextChoices):
    CONSTANT = "constant", "Fixed value"
    VARIABLE = "variable", "From our data"
    TEMPLATE = "template", "Text with variables"
    """Text with `{variable}` placeholders, e.g. `Call with {prospect.first_name} – {sequence.name}`."""


class SequencePurpose(models.TextChoices):
    ACTIVE = "active", "Active in sequence"
    STATUS = "status", "Current sequence status"
    NAME = "name", "Current sequence name"
    STEP = "step", "Current sequence step"
    SEQUENCED_BY = "sequenced_by", "Sequenced by"


class LogMode(models.TextChoices):
    COMPLETED_ONLY = "completed_only", "Completed activities only"
    ALL = "all", "All activities (open Task at start, completed at the end)"


class NewProspectAs(models.TextChoices):
    CONTACT = "contact", "Contacts"
    LEAD = "lead", "Leads"


class AmbiguousMatch(models.TextChoices):
    """What to do with a prospect that several Salesforce records match and no rule places for sure."""

    CREATE = "create", "Create a new record (as set above)"
    REVIEW = "review", "Hold its writes until an admin chooses the record"


MATCH_RULES = (
    ("match_contact_email", "Contact by Email"),
    ("match_contact_name_company", "Contact by Name + Company (Account Name or Website)"),
    ("match_contact_linkedin", "Contact by LinkedIn URL"),
    ("match_lead_email", "Lead by Email"),
    ("match_lead_name_company", "Lead by Name + Company"),
)
"""The matching rules as CrmSettings switches, in the order they run."""


class SyncStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MISSING = "missing", "Missing in Salesforce"


class ValueKind(models.TextChoices):
    """The type of one of our variables; `compat` maps each to the Salesforce field types it may fill."""

    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    URL = "url", "URL"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    BOOLEAN = "boolean", "Yes/no"
    USER_ID = "user_id", "Salesforce user"


@dataclass(frozen=True)
class Variable:
    key: str
    label: str
    kind: ValueKind
    attribute: str
    """Dotted attribute path on the data object (ActivityData / ProspectData) the value is read from."""


TASK_VARIABLES: dict[str, Variable] = {
    v.key: v
    for v in (
        Variable("subject", "Subject", ValueKind.TEXT, "subject"),
        Variable("body_excerpt", "Body excerpt", ValueKind.LONG_TEXT, "body_excerpt"),
        Variable("notes", "Notes", ValueKind.LONG_TEXT, "notes"),
        Variable("sequence_name", "Sequence name", ValueKind.TEXT, "sequence_name"),
        Variable("step_name", "Sequence step name", ValueKind.TEXT, "step_name"),
        Variable("recording_url", "Call recording URL", ValueKind.URL, "recording_url"),
        Variable("number_dialed", "Number dialed", ValueKind.PHONE, "number_dialed"),
        Variable("disposition", "Call disposition / result", ValueKind.TEXT, "disposition"),
        Variable("duration_seconds", "Duration (seconds)", ValueKind.NUMBER, "duration_seconds"),
        Variable("occurred_at", "Activity time", ValueKind.DATETIME, "occurred_at"),
        Variable("rep_name", "Rep name", ValueKind.TEXT, "rep_name"),
        Variable("rep_email", "Rep email", ValueKind.EMAIL, "rep_email"),
        Variable("prospect.first_name", "Prospect first name", ValueKind.TEXT, "prospect.first_name"),
        Variable("prospect.last_name", "Prospect last name", ValueKind.TEXT, "prospect.last_name"),
        Variable("prospect.title", "Prospect title", ValueKind.TEXT, "prospect.title"),
        Variable("prospect.email", "Prospect email", ValueKind.EMAIL, "prospect.email"),
        Variable("company.name", "Company name", ValueKind.TEXT, "prospect.company.name"),
    )
}

CREATION_VARIABLES: dict[str, Variable] = {
    v.key: v
    for v in (
        Variable("prospect.first_name", "Prospect first name", ValueKind.TEXT, "first_name"),
        Variable("prospect.last_name", "Prospect last name", ValueKind.TEXT, "last_name"),
        Variable("prospect.title", "Prospect title", ValueKind.TEXT, "title"),
        Variable("prospect.phone", "Prospect phone", ValueKind.PHONE, "phone"),
        Variable("prospect.linkedin_url", "Prospect LinkedIn URL", ValueKind.URL, "linkedin_url"),
        Variable("company.name", "Company name (LinkedIn)", ValueKind.TEXT, "company.name"),
        Variable("company.website", "Company website (LinkedIn)", ValueKind.URL, "company.website"),
        Variable("company.industry", "Company industry (LinkedIn)", ValueKind.TEXT, "company.industry"),
        Variable(
            "company.employee_count", "Company employee count (LinkedIn)", ValueKind.NUMBER, "company.employee_count"
        ),
        Variable("company.location", "Company location (LinkedIn)", ValueKind.TEXT, "company.location"),
        Variable("company.linkedin_url", "Company LinkedIn URL", ValueKind.URL, "company.linkedin_url"),
    )
}

TEMPLATE_ALIASES = {
    "sequence.name": "sequence_name",
    "sequence.step": "step_name",
    "rep.name": "rep_name",
    "rep.email": "rep_email",
    "call.disposition": "disposition",
    "call.number_dialed": "number_dialed",
    "call.recording_url": "recording_url",
}
"""Dotted spellings a template may use for Task variables whose keys predate them (`{sequence.name}`)."""

SEQUENCE_PURPOSE_KINDS: dict[str, ValueKind] = {
    SequencePurpose.ACTIVE: ValueKind.BOOLEAN,
    SequencePurpose.STATUS: ValueKind.TEXT,
    SequencePurpose.NAME: ValueKind.TEXT,
    SequencePurpose.STEP: ValueKind.TEXT,
    SequencePurpose.SEQUENCED_BY: ValueKind.USER_ID,
}
