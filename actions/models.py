"""Workflow actions: one row per request an automation (or a person on the Actions page) made.

A write goes through the writeback ledger as a job of kind `action_run` (the row points at it): exactly once,
with its attempts, backoff and budget waits. A request refused before the call (an id of the wrong object, a
stage name that does not exist) has no job; it is recorded all the same, so the Actions page shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from activities.models import ApiKey, WritebackJob
from integrations.models import Connection
from workspaces.models import Workspace


class ActionName(models.TextChoices):
    CREATE_TASK = "create_task", "Create a Task"
    UPDATE_OPPORTUNITY = "update_opportunity", "Update an Opportunity"
    LOG_MEETING = "log_meeting", "Log a meeting"
    QUERY_RECORDS = "query_records", "Query records"
    UPDATE_ACCOUNT_FIELDS = "update_account_fields", "Write scores to Accounts"


class ActionStatus(models.TextChoices):
    PENDING = "pending", "In progress"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused before the call"


class ActionRun(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="action_runs")
    name = models.CharField(max_length=32, choices=ActionName.choices)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.PENDING)
    api_key = models.ForeignKey(
        ApiKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The key that sent it (empty: started on the Actions page).",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person who ran it from the Actions page.",
    )
    as_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The member whose own connection acts (`as_user`).",
    )
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    input = models.JSONField(default=dict, help_text="The request as sent (secrets never appear in it).")
    plan = models.JSONField(default=dict, blank=True, help_text="What is sent to Salesforce, after the checks.")
    summary = models.CharField(max_length=255, blank=True)
    sobject = models.CharField(max_length=64, blank=True)
    record_id = models.CharField(max_length=18, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="What a read or a batch answered.")
    error_code = models.CharField(max_length=64, blank=True)
    salesforce_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    error_items = models.JSONField(default=list, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    job = models.OneToOneField(
        WritebackJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_run"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_action_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"]), models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_name_display()} ({self.get_status_display()})"

    @property
    def who(self) -> str:
        if self.started_by_id:
            return self.started_by.email
        if self.api_key_id:
            return f"API key “{self.api_key.name}”"
        return "—"

    @property
    def attempts(self) -> int:
        return self.job.attempts if self.job_id else 0


class ScoreSettings(models.Model):
    """Score write-back: off by default (read-only is the default posture); an admin opts in per workspace."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="score_settings")
    enabled = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Scores for {self.workspace} ({'on' if self.enabled else 'off'})"


class ScoreMapping(models.Model):
    """One score name (as the customer-success tool sends it) written to one Account field."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="score_mappings")
    score_name = models.CharField(max_length=80)
    account_field = models.CharField(max_length=80)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["score_name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "score_name"], name="uniq_score_mapping")]

    def __str__(self) -> str:
        return f"{self.score_name} → Account.{self.account_field}"


class ScoreBatch(models.Model):
    """Up to 200 Account updates of one score request: one sObject Collections call, one ledger job."""

    run = models.ForeignKey(ActionRun, on_delete=models.CASCADE, related_name="score_batches")
    job = models.OneToOneField(WritebackJob, on_delete=models.CASCADE, related_name="score_batch")
    records = models.JSONField(help_text="[{id, Field: value…}] still to write (failed row locks stay for a retry).")
    written = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True, help_text="[{account_id, code, message}] Salesforce refused.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Score batch #{self.pk} of action #{self.run_id}"
