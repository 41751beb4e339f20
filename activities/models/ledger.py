"""The writeback ledger: one job per write we owe Salesforce, one attempt row per try.

We own retries, backoff and give-up here; django-q2 only runs the drain (see STYLE.md, bullets 15-19).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from activities.models.events import Activity, Enrollment, OptOut, Prospect
from integrations.models import Connection
from workspaces.models import Workspace


class JobAction(models.TextChoices):
    PROSPECT_SYNC = "prospect_sync", "Find or create prospect"
    TASK_CREATE = "task_create", "Create Task"
    TASK_COMPLETE = "task_complete", "Complete Task"
    SEQUENCE_UPDATE = "sequence_update", "Update sequence fields"
    OPTOUT_WRITE = "optout_write", "Write SMS opt-out"
    ACTION_RUN = "action_run", "Workflow action"  # run by the actions app (actions.ActionRun says what)


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Written"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"
    WAITING_RECONNECT = "waiting_reconnect", "Waiting for reconnect"
    WAITING_BUDGET = "waiting_budget", "Waiting for API budget"
    WAITING_REVIEW = "waiting_review", "Waiting for an admin to choose the record"


UNFINISHED_STATUSES = (
    JobStatus.PENDING,
    JobStatus.RUNNING,
    JobStatus.WAITING_RECONNECT,
    JobStatus.WAITING_BUDGET,
    JobStatus.WAITING_REVIEW,
)
"""A job in one of these still owes a write; it blocks later jobs of the same prospect."""
RETRYABLE_STATUSES = (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.SKIPPED)


class WritebackJob(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="writeback_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The rep whose own connection writes; empty when it is chosen at run time (opt-outs).",
    )
    connection = models.ForeignKey(
        Connection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="writeback_jobs",
        help_text="The connection of the last run.",
    )
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="writeback_jobs",
        help_text="Empty for workflow actions, which belong to no prospect (and so wait on no other job).",
    )  # fmt: skip
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="writeback_jobs"
    )
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="writeback_jobs"
    )
    optout = models.ForeignKey(OptOut, null=True, blank=True, on_delete=models.CASCADE, related_name="writeback_jobs")
    action = models.CharField(max_length=32, choices=JobAction.choices)
    status = models.CharField(max_length=32, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A running job past this was abandoned.")
    claim_token = models.CharField(max_length=32, blank=True)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_message = models.TextField(blank=True)
    fix_url = models.CharField(max_length=255, blank=True, help_text="Where a person can fix a permanent failure.")
    remote_id = models.CharField(max_length=18, blank=True)
    idempotency_key = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="writeback_due"),
            models.Index(fields=["prospect", "status"], name="writeback_prospect_order"),
            models.Index(fields=["workspace", "status"], name="writeback_ws_status"),
            models.Index(fields=["status", "lease_until"], name="writeback_stalled"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="task_create") | Q(activity__isnull=False), name="task_job_has_activity"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_action_display()} ({self.get_status_display()})"

    @property
    def sequence(self) -> int:
        """Per-prospect order: ids grow in event order within and across ingest transactions."""
        return self.pk


class AttemptOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    RETRY = "retry", "Will retry"
    FAILED = "failed", "Failed"
    RECONNECT = "reconnect", "Needs reconnect"
    BUDGET = "budget", "API budget"
    SKIPPED = "skipped", "Skipped"
    REVIEW = "review", "Held for review"


class WritebackAttempt(models.Model):
    job = models.ForeignKey(WritebackJob, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    request = models.CharField(max_length=255, blank=True, help_text="Method and path; never tokens.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    error_code = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    skipped_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Mapped fields this write left out (or cut), as in the message: a list of "
        '{"sobject", "field", "reason", "detail"}; reason is one of mappings.payloads.NOTE_REASONS.',
    )

    class Meta:
        ordering = ["job", "started_at", "id"]
        indexes = [
            models.Index(fields=["job", "started_at"]),
            # The settings pages read the last days' attempts of a workspace for fields left out.
            models.Index(fields=["started_at"], name="writeback_attempt_started"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of job #{self.job_id}: {self.outcome}"
