"""Enums and the per-object defaults of inbound sync."""

from __future__ import annotations

from django.db import models


class RunKind(models.TextChoices):
    INCREMENTAL = "incremental", "Incremental"
    FULL = "full", "Full sync"
    RECONCILE = "reconcile", "Reconcile"
    BACKFILL = "backfill", "Field backfill"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PAUSED_BUDGET = "paused_budget", "Paused (API budget)"
    CANCELLED = "cancelled", "Cancelled"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED_BUDGET)
FINISHED_RUN_STATUSES = (RunStatus.CANCELLED, RunStatus.SUCCEEDED, RunStatus.FAILED)


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class StepMode(models.TextChoices):
    BULK = "bulk", "Bulk API 2.0"
    REST = "rest", "REST query"


class FilterOperator(models.TextChoices):
    EQUALS = "eq", "equals"
    NOT_EQUALS = "ne", "does not equal"
    IN = "in", "is one of"
    NOT_IN = "not_in", "is none of"
    GT = "gt", "greater than"
    GTE = "gte", "greater than or equal"
    LT = "lt", "less than"
    LTE = "lte", "less than or equal"
    CONTAINS = "contains", "contains"
    STARTS_WITH = "starts_with", "starts with"
    IS_NULL = "is_null", "is empty"
    IS_NOT_NULL = "is_not_null", "is not empty"


class ReconcileResult(models.TextChoices):
    NEVER = "", "Not checked yet"
    MATCH = "match", "Counts match"
    MISMATCH = "mismatch", "Mismatch (resync started)"
    ERROR = "error", "Could not check"


class LookbackField(models.TextChoices):
    CREATED = "CreatedDate", "Created date"
    MODIFIED = "LastModifiedDate", "Last modified date"


DEFAULT_OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Case", "Task")
"""Objects a workspace syncs unless its admin turns them off. Any queryable object (custom ones too) may be added as
a SyncObjectConfig row; nothing else in the engine names an object."""

SYSTEM_FIELDS = ("Id", "IsDeleted", "SystemModstamp", "CreatedDate", "LastModifiedDate")
"""Always synced: what the engine itself needs (identity, cursor, deletes)."""

IDENTITY_FIELDS = ("Name", "Subject", "CaseNumber", "Email", "OwnerId", "AccountId", "StageName", "Status", "Type")
"""Standard identity fields, synced when the object has them (checked against describe, so a missing one is skipped)."""

NAME_FIELDS = ("Name", "Subject", "CaseNumber")
"""The first of these the object has fills the indexed `name` column."""
