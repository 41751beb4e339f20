"""Re-encrypting every secret at rest with the newest `FIELD_ENCRYPTION_KEYS` key, the step between prepending a
new key and dropping the old one.

It reads and writes the stored ciphertext itself (never the plaintext through the ORM), so a value is decrypted by
whichever configured key can and encrypted again with the first. Each table is done in batches, each batch in one
transaction under row locks, so a worker refreshing a token at the same moment cannot lose its write.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from core import crypto
from core.fields import EncryptedTextField

BATCH = 500


@dataclass
class Rotated:
    label: str
    """`app_label.Model.field`."""
    values: int


def encrypted_fields() -> list[tuple[type, EncryptedTextField]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def secrets_reencrypt() -> list[Rotated]:
    """Re-encrypt every non-empty encrypted value with the newest key. Raises crypto.DecryptionError (naming the
    field) when a value cannot be read with any configured key: nothing of that batch is written then."""
    done = []
    for model, field in encrypted_fields():
        label = f"{model._meta.label}.{field.name}"
        count, last_pk = 0, None
        while True:
            with transaction.atomic():
                rows = model._base_manager.select_for_update().exclude(**{field.attname: ""})
                rows = rows.exclude(**{f"{field.attname}__isnull": True}).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                pks = list(rows.values_list("pk", flat=True)[:BATCH])
                if not pks:
                    break
                count += _rotate_batch(model, field, pks, label)
                last_pk = pks[-1]
        done.append(Rotated(label, count))
    return done


def _rotate_batch(model, field, pks: list, label: str) -> int:
    quote = connection.ops.quote_name
    table, column, pk_column = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    placeholders = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        # Raw SQL on purpose: the ORM would hand us (and take back) plaintext, which is not what is being rotated.
        cursor.execute(f"SELECT {pk_column}, {column} FROM {table} WHERE {pk_column} IN ({placeholders})", pks)  # noqa: S608
        stored = cursor.fetchall()
        for pk, ciphertext in stored:
            try:
                fresh = crypto.rotate(ciphertext)
            except crypto.DecryptionError as exc:
                raise crypto.DecryptionError(f"{label} of row {pk}: {exc}") from exc
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s", [fresh, pk])  # noqa: S608
    return len(stored)
