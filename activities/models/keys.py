"""Per-workspace API keys (stored hashed) and the idempotency ledger of the events API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from workspaces.models import Workspace

SCOPE_CHOICES = [
    ("events:write", "events:write — send events"),
    ("actions:write", "actions:write — create Tasks and Events, update Opportunities"),
    ("records:read", "records:read — query Salesforce records"),
    ("scores:write", "scores:write — write scores to Account fields"),
]
"""What a key may do (the API's own list, with descriptions, is activities.api.framework.SCOPES)."""


def default_scopes() -> list[str]:
    return ["events:write"]


class ApiKey(models.Model):
    """A bearer key for `/api/v1/`. Only its SHA-256 is stored; the key is shown once, at creation."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, help_text="First characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=default_scopes, help_text='What the key may do, e.g. ["events:write"].')
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The answer given to one `Idempotency-Key`, replayed when the same request is sent again."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_idempotency_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Idempotency {self.key}"
