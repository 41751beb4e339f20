"""PostgreSQL: a GIN index on SyncedRecord.data (jsonb_path_ops) for the equality filters of the record lists, and
pg_trgm (when the database lets us create it) for the per-field text indexes of sync/indexes.py. Nothing on SQLite."""

from django.db import DatabaseError, migrations, transaction

GIN = "CREATE INDEX IF NOT EXISTS sync_rec_data_gin ON sync_syncedrecord USING gin (data jsonb_path_ops)"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    schema_editor.execute(GIN)
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: a refused extension must not abort the rest
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        pass  # text filters then scan their object's rows; equality and range filters stay index-backed


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS sync_rec_data_gin")


class Migration(migrations.Migration):
    dependencies = [("sync", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
