"""Inbound sync: what each workspace syncs (config + filters), where each object stands (state), the runs, and the
local copy of the records. Storage choice (JSON + a few typed columns) is explained in sync/README.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from integrations.models import Connection
from sync.types import (
    FilterOperator,
    LookbackField,
    ReconcileResult,
    RunKind,
    RunStatus,
    StepMode,
    StepStatus,
)
from workspaces.models import Workspace


class SyncSettings(models.Model):
    """Workspace-wide sync options. The API ceiling itself is CrmSettings.api_budget_percent (mappings)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="sync_settings")
    enabled = models.BooleanField(default=True)
    interval_minutes = models.PositiveSmallIntegerField(default=5, help_text="Minutes between incremental runs.")
    overlap_minutes = models.PositiveSmallIntegerField(
        default=10, help_text="Each incremental window re-reads this much before the checkpoint (late commits, ties)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sync settings"

    def __str__(self) -> str:
        return f"Sync settings of {self.workspace}"


class SyncObjectConfig(models.Model):
    """One object a workspace syncs, with the filters that decide which of its records are in scope."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sync_objects")
    sobject = models.CharField(max_length=80)
    enabled = models.BooleanField(default=True)
    lookback_field = models.CharField(max_length=32, choices=LookbackField.choices, blank=True)
    lookback_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="First import: only records created/modified in the last N days."
    )
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "position", "sobject"]
        constraints = [models.UniqueConstraint(fields=["workspace", "sobject"], name="uniq_sync_object")]

    def __str__(self) -> str:
        return f"{self.sobject} in {self.workspace}"


class SyncFilter(models.Model):
    """One inclusion condition (AND-ed with the others of its object). Values are a JSON list of literals; they
    reach SOQL only through format_soql, and `field` only after it is found in describe."""

    object_config = models.ForeignKey(SyncObjectConfig, on_delete=models.CASCADE, related_name="filters")
    field = models.CharField(max_length=255)
    operator = models.CharField(max_length=16, choices=FilterOperator.choices)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["object_config", "pk"]

    def __str__(self) -> str:
        return f"{self.field} {self.get_operator_display()} {self.values}"


class ObjectSyncState(models.Model):
    """Where one object of one workspace stands. Written by the engine only, never by settings forms."""

    object_config = models.OneToOneField(SyncObjectConfig, on_delete=models.CASCADE, related_name="state")
    checkpoint_modstamp = models.DateTimeField(
        null=True, blank=True, help_text="Every change up to here is committed locally (next window re-reads overlap)."
    )
    checkpoint_id = models.CharField(max_length=18, blank=True)
    lookback_since = models.DateTimeField(null=True, blank=True, help_text="Lookback bound fixed at first import.")
    imported_at = models.DateTimeField(null=True, blank=True, help_text="Start of the last completed full import.")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    covered_until = models.DateTimeField(
        null=True, blank=True, help_text="Start of the last successful incremental run: lag is measured from here."
    )
    last_run_records = models.PositiveIntegerField(default=0)
    last_run_deletes = models.PositiveIntegerField(default=0)
    last_run_api_calls = models.PositiveIntegerField(default=0)
    api_calls_total = models.PositiveBigIntegerField(default=0)
    last_error_code = models.CharField(max_length=64, blank=True)
    last_error_message = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    paused_fields = models.JSONField(
        default=list, blank=True, help_text="Mapped fields missing or hidden in Salesforce."
    )
    deleted_window_checked_at = models.DateTimeField(null=True, blank=True)
    reconcile_result = models.CharField(max_length=16, choices=ReconcileResult.choices, blank=True)
    reconcile_local = models.PositiveIntegerField(null=True, blank=True)
    reconcile_remote = models.PositiveIntegerField(null=True, blank=True)
    reconcile_at = models.DateTimeField(null=True, blank=True)
    fields_complete = models.JSONField(
        null=True,
        blank=True,
        help_text="Mapped fields every local record carries (set by a full import or a field backfill); a mapped "
        "field not listed here is backfilled. Null: not tracked yet, taken as the current mappings.",
    )
    filter_indexes_for = models.DateTimeField(
        null=True, blank=True, help_text="Newest filterable-mapping change an index pass was enqueued for."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"State of {self.object_config}"


class SyncRun(models.Model):
    """One run of the engine. A full run has one step per object and can stop (budget, cancel, crash) and resume
    from the step checkpoints."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sync_runs")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    records_done = models.PositiveBigIntegerField(default=0)
    records_expected = models.PositiveBigIntegerField(null=True, blank=True)
    deletes = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    resume_after = models.DateTimeField(null=True, blank=True, help_text="A paused run is picked up again after this.")
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        constraints = [
            # One full run at a time per workspace: two would race on the same rows and checkpoints.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(kind="full", status__in=["queued", "running", "paused_budget"]),
                name="uniq_active_full_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} of {self.workspace} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED_BUDGET)


class SyncRunStep(models.Model):
    """One object inside a run, with its own resume point: Bulk job + locator of the page being read + rows of that
    page already committed, or (REST) the last (SystemModstamp, Id) committed."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="steps")
    sobject = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    mode = models.CharField(max_length=8, choices=StepMode.choices, blank=True)
    bulk_job_id = models.CharField(max_length=18, blank=True)
    locator = models.CharField(max_length=64, blank=True, help_text="Locator of the page being read ('' = first).")
    page_offset = models.PositiveIntegerField(default=0, help_text="Rows of that page already committed.")
    after_modstamp = models.DateTimeField(null=True, blank=True)
    after_id = models.CharField(max_length=18, blank=True)
    snapshot_at = models.DateTimeField(null=True, blank=True, help_text="When the step's query started (sweep bound).")
    records_done = models.PositiveBigIntegerField(default=0)
    records_expected = models.PositiveBigIntegerField(null=True, blank=True)
    deletes = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=list, blank=True, help_text="Field backfill: the fields this step fills in.")
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "sobject"], name="uniq_run_step")]
        # The health page's "Last run" per object: its newest finished step, among a run every five minutes.
        indexes = [models.Index(fields=["sobject", "-finished_at"], name="sync_step_last")]

    def __str__(self) -> str:
        return f"{self.sobject} of run #{self.run_id}"


class SyncedRecord(models.Model):
    """The local copy of one Salesforce record: typed, indexed identity columns plus `data` (the mapped fields,
    keyed by API name, typed per describe). `seen_run` marks rows seen by a full sync, so the rest can be swept."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sobject = models.CharField(max_length=80)
    sf_id = models.CharField(max_length=18)
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=255, blank=True)
    owner_id = models.CharField(max_length=18, blank=True)
    system_modstamp = models.DateTimeField()
    created_date = models.DateTimeField(null=True)
    is_deleted = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    seen_run = models.BigIntegerField(null=True)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sobject", "sf_id"], name="uniq_synced_record"),
        ]
        indexes = [
            # List pages: one object of one workspace, live rows, ordered by name (keyset-friendly with pk).
            models.Index(fields=["workspace", "sobject", "is_deleted", "name", "id"], name="sync_rec_list"),
            models.Index(fields=["workspace", "sobject", "email"], name="sync_rec_email"),
            models.Index(fields=["workspace", "sobject", "owner_id"], name="sync_rec_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.sobject} {self.sf_id}"
