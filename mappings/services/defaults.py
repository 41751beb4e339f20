"""Stock settings that work on an unmodified org, created once when an admin first opens the pages.

Recommended custom fields (`{prefix}recordingurl__c`..., prefix `sb_` unless the connection says otherwise) are
used only when the org's describe has them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mappings.compat import field_accepts_constant, field_accepts_kind, field_is_writable, field_lookup, fields_by_name
from mappings.models import CrmSettings
from mappings.sections import section_snapshot
from mappings.services.history import settings_section_save
from mappings.types import (
    CREATION_VARIABLES,
    SEQUENCE_PURPOSE_KINDS,
    TASK_VARIABLES,
    ActivityKind,
    SequencePurpose,
    ValueSource,
)
from mappings.values import InvalidValue, constant_clean

DEFAULT_PREFIX = "sb_"

TASK_TYPE_BY_KIND = {
    ActivityKind.CALL: ("Call", "Call"),
    ActivityKind.EMAIL_SENT: ("Email", "Email"),
    ActivityKind.EMAIL_RECEIVED: ("Email", "Email"),
    ActivityKind.LINKEDIN_MESSAGE: ("LinkedIn", "LinkedIn"),
    ActivityKind.LINKEDIN_CONNECTION: ("LinkedIn", "LinkedIn"),
    ActivityKind.SMS: ("SMS", None),
    ActivityKind.OTHER: ("Other", None),
}
"""(Type, TaskSubtype) per kind; TaskSubtype only where Salesforce has a matching subtype."""

CALL_RECOMMENDED = (
    (("{p}recordingurl__c",), "recording_url"),
    (("{p}numberdialed__c",), "number_dialed"),
    (("{p}callresult__c", "CallDisposition"), "disposition"),
    (("CallDurationInSeconds",), "duration_seconds"),
)
"""Call variables and the Task fields they go to, best candidate first."""

SEQUENCE_RECOMMENDED = {
    SequencePurpose.ACTIVE: "{p}activeinsequence__c",
    SequencePurpose.STATUS: "{p}currentsequencestatus__c",
    SequencePurpose.NAME: "{p}currentsequencename__c",
    SequencePurpose.STEP: "{p}currentsequencestep__c",
    SequencePurpose.SEQUENCED_BY: "{p}sequencedby__c",
}

CREATION_RECOMMENDED = {
    "Account": (
        ("Name", "company.name", "Unknown company"),
        ("Website", "company.website", ""),
        ("Industry", "company.industry", ""),
        ("NumberOfEmployees", "company.employee_count", ""),
        ("BillingCity", "company.location", ""),
    ),
    "Contact": (
        ("FirstName", "prospect.first_name", ""),
        ("LastName", "prospect.last_name", "Unknown"),
        ("Title", "prospect.title", ""),
        ("Phone", "prospect.phone", ""),
    ),
    "Lead": (
        ("FirstName", "prospect.first_name", ""),
        ("LastName", "prospect.last_name", "Unknown"),
        ("Title", "prospect.title", ""),
        ("Phone", "prospect.phone", ""),
        ("Company", "company.name", "Unknown"),
    ),
}


class _Rows:
    """Collects default rows, keeping only those the org's describe accepts."""

    def __init__(self, describe: dict | None, *, update: bool = False):
        self.fields = fields_by_name(describe)
        self.update = update
        self.rows: list[dict] = []

    def _target(self, name: str) -> dict | None:
        field = field_lookup(self.fields, name)
        if field is None or not field_is_writable(field, update=self.update):
            return None
        if any(r["target_field"] == field["name"] for r in self.rows):
            return None
        return field

    def constant(self, name: str, value: str) -> bool:
        field = self._target(name)
        if field is None or not field_accepts_constant(field):
            return False
        try:
            constant_clean(field, value)
        except InvalidValue:
            return False
        self.rows.append({"target_field": field["name"], "source": ValueSource.CONSTANT, "value": value})
        return True

    def variable(self, name: str, key: str, kind: str, **extra) -> bool:
        field = self._target(name)
        if field is None or not field_accepts_kind(field, kind):
            return False
        self.rows.append({"target_field": field["name"], "source": ValueSource.VARIABLE, "value": key, **extra})
        return True


def task_default_rows(kind: str, task_describe: dict | None, prefix: str = DEFAULT_PREFIX) -> list[dict]:
    rows = _Rows(task_describe)
    task_type, subtype = TASK_TYPE_BY_KIND[kind]
    rows.constant("Type", task_type)
    if subtype:
        rows.constant("TaskSubtype", subtype)
    rows.variable("Subject", "subject", TASK_VARIABLES["subject"].kind)
    body = "notes" if kind in (ActivityKind.CALL, ActivityKind.OTHER) else "body_excerpt"
    rows.variable("Description", body, TASK_VARIABLES[body].kind)
    if kind == ActivityKind.CALL:
        for candidates, key in CALL_RECOMMENDED:
            # first candidate the org has wins
            any(rows.variable(name.format(p=prefix), key, TASK_VARIABLES[key].kind) for name in candidates)
    rows.variable(f"{prefix}sequencename__c", "sequence_name", TASK_VARIABLES["sequence_name"].kind)
    rows.variable(f"{prefix}sequencestepname__c", "step_name", TASK_VARIABLES["step_name"].kind)
    return rows.rows


def sequence_default_rows(describes: dict[str, dict | None], prefix: str = DEFAULT_PREFIX) -> list[dict]:
    result = []
    for sobject in ("Contact", "Lead"):
        rows = _Rows(describes.get(sobject), update=True)
        for purpose, name in SEQUENCE_RECOMMENDED.items():
            if rows.variable(name.format(p=prefix), purpose, SEQUENCE_PURPOSE_KINDS[purpose]):
                result.append(
                    {"sobject": sobject, "purpose": purpose.value, "target_field": rows.rows[-1]["target_field"]}
                )
    return result


def creation_default_rows(sobject: str, describe: dict | None) -> list[dict]:
    rows = _Rows(describe)
    for name, key, fallback in CREATION_RECOMMENDED[sobject]:
        rows.variable(name, key, CREATION_VARIABLES[key].kind, fallback=fallback)
    return rows.rows


SMS_OPT_OUT_RECOMMENDED = "{p}sms_opt_out__c"
"""The checkbox the setup checklist recommends for "do not text"; chosen as the SMS opt-out when the org has it."""


def opt_out_default_rows(describes: dict[str, dict | None], prefix: str = DEFAULT_PREFIX) -> list[dict]:
    rows = []
    for sobject in ("Contact", "Lead"):
        field = field_lookup(fields_by_name(describes.get(sobject)), SMS_OPT_OUT_RECOMMENDED.format(p=prefix))
        usable = field is not None and field.get("type") == "boolean" and field_is_writable(field, update=True)
        rows.append({"sobject": sobject, "target_field": field["name"] if usable else None})
    return rows


def linkedin_url_field_suggest(describe: dict | None) -> str:
    """The one writable URL field named like LinkedIn, if the org has exactly one (there is no standard field)."""
    found = [
        f["name"]
        for f in fields_by_name(describe).values()
        if f.get("type") == "url" and "linkedin" in f["name"].lower() and field_is_writable(f, update=True)
    ]
    return found[0] if len(found) == 1 else ""


def crm_settings_ensure_defaults(
    *,
    workspace,
    task_describe: dict | None,
    contact_describe: dict | None = None,
    lead_describe: dict | None = None,
    account_describe: dict | None = None,
    field_prefix: str = DEFAULT_PREFIX,
    actor=None,
) -> bool:
    """Create the stock mappings once. Returns True when they were created by this call."""
    if task_describe is None:
        return False
    with transaction.atomic():
        crm, _ = CrmSettings.objects.get_or_create(workspace=workspace)
        crm = CrmSettings.objects.select_for_update().get(pk=crm.pk)
        if crm.defaults_applied_at is not None:
            return False
        label = "Stock defaults"

        def fill(section: str, rows: list[dict]) -> None:
            # Rows a staff member already entered (Django admin) are theirs: stock defaults only fill empty sections.
            if not section_snapshot(workspace=workspace, section=section)["rows"]:
                settings_section_save(workspace=workspace, section=section, rows=rows, actor=actor, summary=label)

        for kind in ActivityKind.values:
            fill(f"task:{kind}", task_default_rows(kind, task_describe, field_prefix))
        describes = {"Contact": contact_describe, "Lead": lead_describe, "Account": account_describe}
        if contact_describe is not None or lead_describe is not None:
            fill("sequence", sequence_default_rows(describes, field_prefix))
        for sobject, describe in describes.items():
            if describe is not None:
                fill(f"creation:{sobject}", creation_default_rows(sobject, describe))
        opt_out = opt_out_default_rows(describes, field_prefix)
        # The opt-out section always has a row per object: only one nobody has chosen a checkbox for is empty.
        if any(r["target_field"] for r in opt_out) and not any(
            r["target_field"] for r in section_snapshot(workspace=workspace, section="opt_out")["rows"]
        ):
            settings_section_save(workspace=workspace, section="opt_out", rows=opt_out, actor=actor, summary=label)
        suggested = {
            "linkedin_url_field_contact": linkedin_url_field_suggest(contact_describe),
            "linkedin_url_field_lead": linkedin_url_field_suggest(lead_describe),
        }
        current = section_snapshot(workspace=workspace, section="advanced")["rows"]
        # Only empty LinkedIn fields take a suggestion: a rule switched off (False) is a choice, not a blank.
        rows = [{**r, "value": r["value"] or suggested[r["setting"]]} if r["setting"] in suggested else r
                for r in current]  # fmt: skip
        settings_section_save(workspace=workspace, section="advanced", rows=rows, actor=actor, summary=label)
        CrmSettings.objects.filter(pk=crm.pk).update(defaults_applied_at=timezone.now())
    return True
