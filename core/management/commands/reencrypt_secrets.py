"""`manage.py reencrypt_secrets`: after prepending a new key (`FIELD_ENCRYPTION_KEYS=new,old`), encrypt every stored
secret with it, so the old key can then be dropped. Safe to run again, and while the app runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core import crypto
from core.rotation import secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every secret at rest with the first FIELD_ENCRYPTION_KEYS key (run after adding a new key)."

    def handle(self, *args, **options):
        try:
            done = secrets_reencrypt()
        except crypto.DecryptionError as exc:
            raise CommandError(
                f"{exc} Keep every key that encrypted stored values in FIELD_ENCRYPTION_KEYS until this succeeds."
            ) from exc
        for item in done:
            self.stdout.write(f"{item.label}: {item.values} re-encrypted")
        total = sum(item.values for item in done)
        self.stdout.write(self.style.SUCCESS(f"{total} secrets now use the first key; older keys can be removed."))
