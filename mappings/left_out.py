"""Mapped fields that recent writes had to leave out, said on the settings page with the likely cause.

The pages flag schema drift from the admin connection's describe, but field-level security can hide a field
from some reps only: their writes then go out without it (the engine records each field it left out, and why,
in the attempt's `skipped_fields`) while the admin's view says all is well. Comparing the rep's reason with the
admin's describe tells the two causes apart: a field the admin still sees and can write was hidden from (or made
read-only for) that rep's profile; a field the admin cannot see either is gone, which the drift warning above
already says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from activities.selectors import (
    LEFT_OUT_DAYS,
    LeftOutGroup,
    creation_fields_left_out,
    sequence_fields_left_out,
    task_fields_left_out,
)
from mappings.compat import drift_reason, field_label, field_lookup, fields_by_name

GRANT_ACCESS = "Grant the rep's profile (or a permission set of theirs) edit access to the field in Salesforce."
CHECK_ACCESS = "Check the field and the field-level security of the rep's profile in Salesforce."
CHANGE_MAPPING = "Change or remove the mapping."


@dataclass(frozen=True)
class Noun:
    """What a page's writes are called: "Task written" / "Tasks written"."""

    one: str
    many: str

    def count(self, n: int) -> str:
        return f"{n} {self.one if n == 1 else self.many}"


TASKS = Noun("Task written", "Tasks written")


def sequence_noun(sobject: str) -> Noun:
    return Noun(f"{sobject} sequence update written", f"{sobject} sequence updates written")


def creation_noun(sobject: str) -> Noun:
    return Noun(f"new {sobject} created", f"new {sobject}s created")


@dataclass(frozen=True)
class LeftOutWarning:
    text: str
    fix: str
    example_url: str
    group: LeftOutGroup


def task_page_left_out(*, workspace, kind: str, mappings, describe: dict | None) -> list[LeftOutWarning]:
    groups = task_fields_left_out(workspace=workspace, kind=kind, fields=[m.target_field for m in mappings])
    return left_out_warnings(groups, describe=describe, noun=TASKS, workspace_slug=workspace.slug)


def sequence_page_left_out(*, workspace, mappings, describes: dict[str, dict | None]) -> list[LeftOutWarning]:
    """Both objects' lines; `describes` maps Contact/Lead to the admin's describe."""
    warnings = []
    for sobject, describe in describes.items():
        fields = [m.target_field for m in mappings if m.sobject == sobject]
        groups = sequence_fields_left_out(workspace=workspace, sobject=sobject, fields=fields)
        warnings += left_out_warnings(groups, describe=describe, noun=sequence_noun(sobject),
                                      workspace_slug=workspace.slug, update=True)  # fmt: skip
    return warnings


def creation_page_left_out(*, workspace, sobject: str, mappings, describe: dict | None) -> list[LeftOutWarning]:
    groups = creation_fields_left_out(workspace=workspace, sobject=sobject, fields=[m.target_field for m in mappings])
    return left_out_warnings(groups, describe=describe, noun=creation_noun(sobject), workspace_slug=workspace.slug)


def left_out_warnings(
    groups: list[LeftOutGroup], *, describe: dict | None, noun: Noun, workspace_slug: str, update: bool = False
) -> list[LeftOutWarning]:
    """One line per field, rep and reason; `describe` is the admin connection's (None when unknown)."""
    fields = fields_by_name(describe) if describe is not None else None
    warnings = []
    for group in groups:
        admin_field = field_lookup(fields, group.field) if fields is not None else None
        label = field_label(admin_field) if admin_field else group.field
        why, fix = _cause(group.reason, fields, admin_field, update=update)
        who = group.written_as or "a rep who is no longer connected"
        if group.user is not None and group.user.email.lower() != who.lower():
            who = f"{who} ({group.user.email})"
        text = f"{label} was left out of {noun.count(group.count)} as {who} in the last {LEFT_OUT_DAYS} days: {why}."
        url = ""
        if group.example_activity_id:
            url = reverse("activity_detail", kwargs={"workspace_slug": workspace_slug, "pk": group.example_activity_id})
        warnings.append(LeftOutWarning(text=text, fix=fix, example_url=url, group=group))
    return warnings


def _cause(reason: str, fields: dict | None, admin_field: dict | None, *, update: bool) -> tuple[str, str]:
    if reason == "other":
        return "Salesforce could not take its value", "The example's history shows the exact reason."
    if fields is None:  # no admin metadata: the two causes cannot be told apart
        if reason == "gone":
            return "the field does not exist in Salesforce or is hidden from that user", CHECK_ACCESS
        return "the field is not writable for that user", CHECK_ACCESS
    if admin_field is None:
        return "the field no longer exists in Salesforce (the admin connection cannot see it either)", CHANGE_MAPPING
    if reason == "gone":
        return "hidden from that user by field-level security", GRANT_ACCESS
    if drift_reason(admin_field, update=update) is None:
        return "read-only for that user by field-level security", GRANT_ACCESS
    return "the field is no longer writable in Salesforce", CHANGE_MAPPING
