"""Permanent Salesforce refusals turned into sentences a person can act on, with the page to fix them."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse

SETTINGS_SECTIONS = {
    # section -> (URL name in the mappings app, the name of its argument)
    "task": ("crm_task_mappings", "kind"),
    "task_update": ("crm_task_mappings", "kind"),
    "creation": ("crm_creation_defaults", "sobject"),
    "sequence": ("crm_sequence_fields", None),
    "opt_out": ("crm_opt_out", None),
    "advanced": ("crm_advanced", None),
}
NO_SUCH_COLUMN = re.compile(r"No such column '([A-Za-z0-9_]+)'")
"""How Salesforce names the field in an INVALID_FIELD answer that leaves `fields` empty."""
DELETED_CODES = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND", "INVALID_ID_FIELD"})
FLS_CODES = frozenset(
    {"INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"}
)


def settings_url(workspace, section: str, arg: str = "") -> str:
    """The settings page for `section`; the CRM settings index when that page cannot be named."""
    name, arg_name = SETTINGS_SECTIONS.get(section, ("crm_settings", None))
    kwargs = {"workspace_slug": workspace.slug}
    if arg_name and arg:
        kwargs[arg_name] = arg
    for candidate in (name, "crm_settings"):
        try:
            return reverse(candidate, kwargs=kwargs if candidate == name else {"workspace_slug": workspace.slug})
        except NoReverseMatch:
            continue
    return f"/w/{workspace.slug}/settings/crm/"


def explain(
    *, workspace, code: str, message: str, fields: list[str], sobject: str, section: str, user=None, arg: str = ""
):
    """(message, fix_url) for a permanent failure writing `sobject`; `section` is the setting that shaped it."""
    who = getattr(user, "email", "") or "the connected user"
    if not fields and code in FLS_CODES:
        fields = NO_SUCH_COLUMN.findall(message or "")
    field_list = ", ".join(fields) if fields else ""
    if code == "REQUIRED_FIELD_MISSING":
        text = (
            f"Salesforce requires {field_list or 'a field'} on {sobject}. Add a value for it in the "
            f"{_label(section)} settings."
        )
        return text, settings_url(workspace, section, arg or _arg(section, sobject))
    if code == "FIELD_CUSTOM_VALIDATION_EXCEPTION":
        text = (
            f"A validation rule on {sobject} refused the record: “{message}”. Change the mapped values, or ask "
            "your Salesforce admin about the rule."
        )
        return text, settings_url(workspace, section, arg or _arg(section, sobject))
    if code in FLS_CODES:
        text = (
            f"{who} cannot write {field_list or 'a mapped field'} on {sobject} (field-level security or the "
            f"field no longer exists). Grant edit access in Salesforce, or remove the field from the mapping."
        )
        return text, settings_url(workspace, section, arg or _arg(section, sobject))
    if code == "INSUFFICIENT_ACCESS_OR_READONLY":
        return f"{who} is not allowed to edit this {sobject} in Salesforce (sharing or profile).", ""
    if code in DELETED_CODES and section == "task_update":
        return "The Task no longer exists in Salesforce (deleted). Retry to write the activity as a new Task.", ""
    if code in DELETED_CODES and sobject == "Task":
        return (
            "The Contact or Lead of this Task no longer exists in Salesforce (deleted or merged). Retry to find or "
            "create the prospect again.",
            "",
        )
    if code in DELETED_CODES:
        return (
            f"The {sobject} record no longer exists in Salesforce (deleted or merged). Retry to find or create "
            "the prospect again.",
            "",
        )
    if code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST":
        text = f"{field_list or 'A picklist'} on {sobject} does not accept the mapped value: {message}"
        return text, settings_url(workspace, section, arg or _arg(section, sobject))
    if code == "DUPLICATES_DETECTED":
        return f"A duplicate rule in Salesforce blocked the new {sobject}: {message}", ""
    return f"Salesforce refused the {sobject}: {message or code}", ""


LABELS = {"task": "Task mapping", "task_update": "Task mapping", "creation": "creation defaults",
          "sequence": "sequence fields", "opt_out": "SMS opt-out", "advanced": "advanced"}  # fmt: skip


def _label(section: str) -> str:
    return LABELS.get(section, "CRM")


def _arg(section: str, sobject: str) -> str:
    return sobject if section == "creation" else ""
