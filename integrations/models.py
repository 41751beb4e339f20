from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.fields import EncryptedTextField
from integrations.types import ProviderSlug
from workspaces.models import Workspace


def default_field_prefix() -> str:
    return settings.SALESFORCE_FIELD_PREFIX


class ConnectionKind(models.TextChoices):
    ADMIN = "admin", "Admin (org-wide)"
    USER = "user", "Personal (rep)"


class AuthType(models.TextChoices):
    OAUTH = "oauth", "OAuth (web server flow)"
    CLIENT_CREDENTIALS = "client_credentials", "Client credentials"


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Sandbox"
    MY_DOMAIN = "my_domain", "My Domain"


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RECONNECT_REQUIRED = "reconnect_required", "Needs reconnect"


class Connection(models.Model):
    """One authorised link to a provider: the workspace's admin connection, or one rep's own."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    provider = models.CharField(max_length=32, choices=ProviderSlug.choices)
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="connections",
        help_text="The rep a personal connection belongs to; empty for the admin connection.",
    )
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    auth_type = models.CharField(max_length=32, choices=AuthType.choices, default=AuthType.OAUTH)
    environment = models.CharField(max_length=16, choices=Environment.choices, default=Environment.PRODUCTION)
    login_url = models.URLField(help_text="Where tokens are issued and refreshed.")
    instance_url = models.URLField(help_text="The org's API host; every data call goes here.")
    org_id = models.CharField(max_length=18, db_index=True)
    org_name = models.CharField(max_length=255, blank=True)
    remote_user_id = models.CharField(max_length=18, blank=True)
    remote_username = models.CharField(max_length=255, blank=True)
    remote_display_name = models.CharField(max_length=255, blank=True)
    scopes = models.CharField(max_length=255, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=32, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    api_usage_used = models.PositiveIntegerField(null=True, blank=True)
    api_usage_max = models.PositiveIntegerField(null=True, blank=True)
    api_usage_at = models.DateTimeField(null=True, blank=True)
    field_prefix = models.CharField(
        max_length=20,
        blank=True,
        default=default_field_prefix,
        help_text="Admin connection: API-name prefix of our custom fields in this org (may be empty).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "provider", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "provider"],
                condition=Q(kind="admin"),
                name="uniq_admin_connection_per_workspace_provider",
            ),
            models.UniqueConstraint(
                fields=["workspace", "provider", "user"],
                condition=Q(kind="user"),
                name="uniq_user_connection_per_workspace_provider",
            ),
            models.CheckConstraint(
                condition=Q(kind="admin", user__isnull=True) | Q(kind="user", user__isnull=False),
                name="connection_user_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "provider", "status"])]

    def __str__(self) -> str:
        who = self.remote_username or self.org_id
        return f"{self.get_provider_display()} {self.get_kind_display()} · {who}"

    @property
    def org_label(self) -> str:
        """ "Acme (00D…)", or just the id when Salesforce would not tell us the org's name."""
        return f"{self.org_name} ({self.org_id})" if self.org_name else self.org_id

    @property
    def is_usable(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    @property
    def api_usage_ratio(self) -> float | None:
        if not self.api_usage_max:
            return None
        return (self.api_usage_used or 0) / self.api_usage_max


class OAuthCredential(models.Model):
    """The secrets of one connection, encrypted at rest. Never rendered, never logged."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="credential")
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    client_id = models.CharField(max_length=255, blank=True, help_text="Consumer key that issued these tokens.")
    client_secret = EncryptedTextField(blank=True, help_text="Only for client-credentials connections.")
    version = models.PositiveIntegerField(
        default=0, help_text="Bumped on every token change; serialises refreshes across workers."
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Credentials of {self.connection}"


class OAuthApp(models.Model):
    """A workspace's own External Client App credentials; without one, settings (env) are used."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="oauth_apps")
    provider = models.CharField(max_length=32, choices=ProviderSlug.choices)
    consumer_key = models.CharField(max_length=255)
    consumer_secret = EncryptedTextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "provider"], name="uniq_oauth_app_per_provider")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} app of {self.workspace}"


class OAuthState(models.Model):
    """A pending authorisation: single use, bound to the user and workspace that started it."""

    state_hash = models.CharField(max_length=64, unique=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=32, choices=ProviderSlug.choices)
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    environment = models.CharField(max_length=16, choices=Environment.choices)
    login_url = models.URLField()
    redirect_uri = models.URLField()
    code_verifier = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"OAuth state for {self.user} in {self.workspace} ({self.kind})"


class ConnectionAction(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RECONNECTED = "reconnected", "Reconnected"
    DISCONNECTED = "disconnected", "Disconnected"
    REFRESH_FAILED = "refresh_failed", "Token refresh failed"
    RECONNECT_REQUIRED = "reconnect_required", "Marked as needing reconnect"
    CREDENTIALS_CHANGED = "credentials_changed", "App credentials changed"
    CONNECT_FAILED = "connect_failed", "Connection attempt failed"
    REMINDER_SENT = "reminder_sent", "Reminded to connect"


class ConnectionEvent(models.Model):
    """Audit trail of connection changes: who, when, which connection, what happened."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connection_events")
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    connection_label = models.CharField(max_length=255, help_text="Kept when the connection is deleted.")
    provider = models.CharField(max_length=32, choices=ProviderSlug.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The rep whose own connection the event is about (kept after the connection is deleted, so the "
        "team table can say when it was disconnected); empty for the admin connection.",
    )
    action = models.CharField(max_length=32, choices=ConnectionAction.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["workspace", "subject_user", "action", "-created_at"], name="connevent_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.connection_label}"


class DescribeCache(models.Model):
    """Cached describe metadata per connection and object ("" = describeGlobal). Not settings: a cache."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="describe_cache")
    sobject = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "sobject"], name="uniq_describe_per_object")]

    def __str__(self) -> str:
        return f"Describe {self.sobject or 'global'} of {self.connection}"
