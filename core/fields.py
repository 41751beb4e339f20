"""Model fields that keep secrets encrypted in the database."""

from __future__ import annotations

import hashlib

from django.db import models

from core import crypto


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code only ever sees the plaintext.

    Not searchable or orderable by design. Use `fingerprint()` to show which secret is stored.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


def fingerprint(secret: str | None) -> str:
    """A short, non-reversible label for a secret, safe to render in the admin."""
    if not secret:
        return "—"
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:10] + "…"
