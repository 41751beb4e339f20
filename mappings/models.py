"""CRM settings of a workspace, as constrained rows (never one JSON blob), plus their change history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from mappings.types import (
    ActivityKind,
    AmbiguousMatch,
    CreationObject,
    LogMode,
    NewProspectAs,
    ProspectObject,
    SequencePurpose,
    SyncStatus,
    ValueSource,
)
from workspaces.models import Workspace

FIELD_NAME_MAX = 255
"""Salesforce API names are at most 40 characters (80 with a namespace); leave room, they are never keys."""


class TaskFieldMapping(models.Model):
    """One Task field set on every Task written for one kind of activity."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="task_field_mappings")
    activity_kind = models.CharField(max_length=32, choices=ActivityKind.choices)
    target_field = models.CharField(max_length=FIELD_NAME_MAX, help_text="Task field API name.")
    source = models.CharField(max_length=16, choices=ValueSource.choices)
    value = models.TextField(help_text="The constant, or the variable key when the source is a variable.")
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "activity_kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "activity_kind", "target_field"], name="uniq_task_mapping_target"
            ),
            models.CheckConstraint(condition=~Q(target_field=""), name="task_mapping_target_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_kind_display()}: Task.{self.target_field} ← {self.value}"

    def translation_table(self) -> dict[str, str]:
        """Our value (trimmed, lowercased) -> the value written instead. An unsaved row (a preview of an edit in
        progress) carries its table in `pending_translations`."""
        pending = self.__dict__.get("pending_translations")
        if pending is not None:
            return {t["ours"].strip().lower(): t["theirs"] for t in pending}
        if self.pk is None:
            return {}
        return {t.ours.strip().lower(): t.theirs for t in self.translations.all()}


class ValueTranslation(models.Model):
    """One of our values written as one of the org's for one Task mapping row: our disposition "Connected" as their
    Call Result "Connected – interested". Matched without regard to case or surrounding spaces."""

    mapping = models.ForeignKey(TaskFieldMapping, on_delete=models.CASCADE, related_name="translations")
    ours = models.CharField(max_length=255, help_text="Our value, as the activity carries it.")
    theirs = models.CharField(max_length=255, help_text="What to write instead (e.g. one of the picklist's values).")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["mapping", "position", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("ours"), "mapping", name="uniq_translation_ours"),
            models.CheckConstraint(condition=~Q(ours=""), name="translation_ours_not_blank"),
            models.CheckConstraint(condition=~Q(theirs=""), name="translation_theirs_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.ours} → {self.theirs}"


class SequenceFieldMapping(models.Model):
    """Where a prospect's sequence state is mirrored on its Contact or Lead."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sequence_field_mappings")
    sobject = models.CharField(max_length=16, choices=ProspectObject.choices)
    purpose = models.CharField(max_length=16, choices=SequencePurpose.choices)
    target_field = models.CharField(max_length=FIELD_NAME_MAX)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "sobject", "purpose"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sobject", "purpose"], name="uniq_sequence_mapping_purpose"),
            models.UniqueConstraint(
                fields=["workspace", "sobject", "target_field"], name="uniq_sequence_mapping_target"
            ),
            models.CheckConstraint(condition=~Q(target_field=""), name="sequence_mapping_target_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject}.{self.target_field} ← {self.get_purpose_display()}"


class CreationDefault(models.Model):
    """A field value set when we create an Account, Contact or Lead."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="creation_defaults")
    sobject = models.CharField(max_length=16, choices=CreationObject.choices)
    target_field = models.CharField(max_length=FIELD_NAME_MAX)
    source = models.CharField(max_length=16, choices=ValueSource.choices)
    value = models.TextField(help_text="The constant, or the variable key (e.g. company.name).")
    fallback = models.TextField(blank=True, help_text="Used when the variable has no value (e.g. company unknown).")
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "sobject", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sobject", "target_field"], name="uniq_creation_default"),
            models.CheckConstraint(condition=~Q(target_field=""), name="creation_default_target_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject}.{self.target_field} ← {self.value}"


class OptOutField(models.Model):
    """The checkbox that says a Contact or Lead must not receive SMS. No field is a valid choice."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="opt_out_fields")
    sobject = models.CharField(max_length=16, choices=ProspectObject.choices)
    target_field = models.CharField(max_length=FIELD_NAME_MAX, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "sobject"]
        constraints = [models.UniqueConstraint(fields=["workspace", "sobject"], name="uniq_opt_out_field")]

    def __str__(self) -> str:
        return f"SMS opt-out on {self.sobject}: {self.target_field or 'none'}"


class SyncFieldMapping(models.Model):
    """A custom field synced inbound, with how it is shown and whether lists can filter on it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sync_field_mappings")
    sobject = models.CharField(max_length=16, choices=CreationObject.choices)
    field_name = models.CharField(max_length=FIELD_NAME_MAX)
    display_name = models.CharField(max_length=120)
    filterable = models.BooleanField(default=False)
    field_type = models.CharField(max_length=32, help_text="Describe type, for type-aware filters.")
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.ACTIVE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "sobject", "field_name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sobject", "field_name"], name="uniq_sync_field"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject}.{self.field_name} ({self.display_name})"


class CrmSettings(models.Model):
    """Single-valued CRM settings of a workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="crm_settings")
    log_mode = models.CharField(max_length=16, choices=LogMode.choices, default=LogMode.COMPLETED_ONLY)
    new_prospect_as = models.CharField(max_length=16, choices=NewProspectAs.choices, default=NewProspectAs.CONTACT)
    linkedin_url_field_contact = models.CharField(max_length=FIELD_NAME_MAX, blank=True)
    linkedin_url_field_lead = models.CharField(max_length=FIELD_NAME_MAX, blank=True)
    # Matching rules, in the order they run (mappings.types.MATCH_RULES); each can be switched off.
    match_contact_email = models.BooleanField(default=True)
    match_contact_name_company = models.BooleanField(default=True)
    match_contact_linkedin = models.BooleanField(default=True)
    match_lead_email = models.BooleanField(default=True)
    match_lead_name_company = models.BooleanField(default=True)
    ambiguous_match = models.CharField(
        max_length=16, choices=AmbiguousMatch.choices, default=AmbiguousMatch.CREATE,
        help_text="When several records match and no rule is sure: create a new one, or hold for an admin.",
    )  # fmt: skip
    api_budget_percent = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of the org's daily API allocation we may use.",
    )
    defaults_applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stock mappings were created; they are created once."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "CRM settings"
        verbose_name_plural = "CRM settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(api_budget_percent__gte=1, api_budget_percent__lte=100), name="crm_api_budget_range"
            ),
        ]

    def __str__(self) -> str:
        return f"CRM settings of {self.workspace}"


class SettingsChange(models.Model):
    """History: one saved change of one settings section, with snapshots before and after.

    Snapshots are JSON because they are a record of the past; the settings themselves stay relational.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="crm_settings_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    section = models.CharField(max_length=48, help_text="e.g. task:call, sequence, creation:Lead, advanced.")
    summary = models.TextField()
    before = models.JSONField()
    after = models.JSONField()
    reverted_change = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverts",
        help_text="The change this one undid.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.section}: {self.summary}"
