"""API keys: shown once at creation, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from activities.models import ApiKey
from activities.models.keys import SCOPE_CHOICES

KEY_PREFIX = "sbk_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, workspace, name: str, created_by, scopes=("events:write",)) -> tuple[ApiKey, str]:
    """The new key row and the raw key (the only time it exists in clear). `scopes`: what it may do."""
    unknown = set(scopes) - {value for value, _ in SCOPE_CHOICES}
    if unknown or not scopes:
        raise ValueError(f"Unknown or no scopes: {sorted(unknown)}")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(workspace=workspace, name=name, prefix=raw[:12], key_hash=_hash(raw),
                                created_by=created_by, scopes=sorted(set(scopes)))  # fmt: skip
    return key, raw


def api_key_revoke(*, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def api_key_authenticate(*, raw: str) -> ApiKey | None:
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    key = ApiKey.objects.select_related("workspace").filter(key_hash=_hash(raw), revoked_at=None).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
