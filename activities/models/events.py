"""Local mirror of what the sales-engagement tool told us: prospects, enrollments, activities, opt-outs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from mappings.types import ActivityKind  # re-exported: one list of kinds for settings and events
from workspaces.models import Workspace


class SalesforceType(models.TextChoices):
    CONTACT = "Contact", "Contact"
    LEAD = "Lead", "Lead"


class MatchedBy(models.TextChoices):
    """Which rule placed the prospect on its Salesforce record (rules run in this order, see prospects.py)."""

    CONTACT_EMAIL = "contact_email", "Contact by Email"
    CONTACT_NAME_COMPANY = "contact_name_company", "Contact by Name + Company"
    CONTACT_LINKEDIN = "contact_linkedin", "Contact by LinkedIn URL"
    LEAD_EMAIL = "lead_email", "Lead by Email"
    LEAD_NAME_COMPANY = "lead_name_company", "Lead by Name + Company"
    CHOSEN = "chosen", "Chosen by an admin"
    CREATED = "created", "Created"
    # Before issue 12 a Contact was matched on its name alone, which attached namesakes at other companies.
    # Kept so those prospects can be shown and confirmed; no rule produces it any more.
    CONTACT_NAME = "contact_name", "Contact by Name only (old rule)"


class MatchReview(models.TextChoices):
    """Why a person must look at the prospect's match. Empty: nothing to review."""

    NONE = "", "—"
    HELD = "held", "Several records match"
    NAME_ONLY = "name_only", "Matched by name alone before the company check"
    CREATE_NEW = "create_new", "None of the records: create a new one"


class Prospect(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="prospects")
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    linkedin_url = models.URLField(max_length=255, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=128, blank=True)
    company_name = models.CharField(max_length=255, blank=True)
    company_domain = models.CharField(max_length=255, blank=True)
    company_linkedin_url = models.URLField(max_length=255, blank=True)
    company_industry = models.CharField(max_length=120, blank=True)
    company_size = models.CharField(max_length=40, blank=True)
    salesforce_id = models.CharField(max_length=18, blank=True)
    salesforce_type = models.CharField(max_length=16, choices=SalesforceType.choices, blank=True)
    salesforce_account_id = models.CharField(max_length=18, blank=True)
    matched_by = models.CharField(max_length=32, choices=MatchedBy.choices, blank=True)
    review = models.CharField(
        max_length=16, choices=MatchReview.choices, blank=True, default=MatchReview.NONE,
        help_text="Held: its jobs wait until an admin chooses a record. Name only: matched by the old rule.",
    )  # fmt: skip
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], condition=~Q(email=""), name="uniq_prospect_email"),
            models.CheckConstraint(condition=~Q(email="") | ~Q(linkedin_url=""), name="prospect_has_identity"),
        ]
        indexes = [models.Index(fields=["workspace", "linkedin_url"])]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.linkedin_url

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class MatchCandidate(models.Model):
    """A Salesforce record one matching rule found for a prospect, among several: shown for an admin to choose."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="match_candidates")
    remote_id = models.CharField(max_length=18)
    sobject = models.CharField(max_length=16, choices=SalesforceType.choices)
    rule = models.CharField(max_length=32, choices=MatchedBy.choices)
    label = models.CharField(max_length=255, blank=True, help_text="Name and email as Salesforce has them.")
    account = models.CharField(max_length=255, blank=True, help_text="Account name (Contact) or Company (Lead).")
    account_id = models.CharField(max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prospect", "id"]
        constraints = [
            models.UniqueConstraint(fields=["prospect", "remote_id"], name="uniq_match_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject} {self.remote_id} for {self.prospect}"


class EnrollmentEvent(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled"
    STEP_CHANGED = "step_changed", "Step changed"
    FINISHED = "finished", "Finished"
    REMOVED = "removed", "Removed"


class Enrollment(models.Model):
    """One enrollment event: a prospect put in, moved along or taken out of a sequence."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=16, choices=EnrollmentEvent.choices)
    sequence_name = models.CharField(max_length=255)
    step_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["prospect", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.sequence_name}"

    @property
    def is_active(self) -> bool:
        return self.event in (EnrollmentEvent.ENROLLED, EnrollmentEvent.STEP_CHANGED)


class ActivityState(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class Activity(models.Model):
    """One touch by a rep. `external_id` is the sender's id: the completion of an open activity reuses it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="activities")
    external_id = models.CharField(max_length=255)
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="activities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(max_length=32, choices=ActivityKind.choices)
    state = models.CharField(max_length=16, choices=ActivityState.choices)
    subject = models.CharField(max_length=255, blank=True)
    body_excerpt = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    number_dialed = models.CharField(max_length=40, blank=True)
    disposition = models.CharField(max_length=255, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    salesforce_task_id = models.CharField(max_length=18, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, help_text="When the event reached us.")
    written_at = models.DateTimeField(null=True, blank=True, help_text="When its Task reached Salesforce.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], name="uniq_activity_external_id"),
        ]
        indexes = [models.Index(fields=["prospect", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.prospect}"


class OptOut(models.Model):
    """The prospect asked not to be texted again."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="opt_outs")
    channel = models.CharField(max_length=16, default="sms")
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.channel.upper()} opt-out · {self.prospect}"
