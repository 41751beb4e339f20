"""PostgreSQL: every record-list filter kind is served by an index (GIN on data for equality, per-field expression
indexes for ranges and text). Runs when DATABASE_URL points at PostgreSQL; SQLite has no such indexes."""

from __future__ import annotations

import pytest
from django.db import connection

from mappings.models import SyncFieldMapping
from sync.models import SyncedRecord, SyncRun
from sync.records import params_upsert
from sync.selectors import filter_fields, record_list
from sync.services.runs import full_sync_start, run_execute
from sync.types import RunKind, RunStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),  # CREATE INDEX CONCURRENTLY runs outside transactions only
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]

FIELDS = [("LeadSource", "picklist"), ("IsEmailBounced", "boolean"), ("Score__c", "double"),
          ("Birthdate", "date"), ("Title", "string")]  # fmt: skip


def plan(queryset, *, bitmap_only: bool = False) -> str:
    """EXPLAIN of what the list page runs. `bitmap_only`: rule out walking the list index in name order, to ask
    whether an index can find the rows (the planner's own pick depends on statistics a small table lacks)."""
    sql, params = queryset.all()[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        if bitmap_only:
            cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")


def add_filler_rows(workspace, n: int) -> None:
    """Rows none of the filters below select, so that each filter is selective and the planner's choice shows."""
    now = "2024-01-01T00:00:00.000Z"
    data = '{"LeadSource": "Phone Inquiry", "IsEmailBounced": false, "Score__c": %d.0, "Birthdate": "1986-%02d-01", ' \
           '"Title": "Engineer %d"}'  # fmt: skip
    params = [(workspace.pk, "Contact", f"003F{i:014d}", f"Filler {i:06d}", "", "", now, now, False,
               data % (i % 50, i % 12 + 1, i), None, now) for i in range(n)]  # fmt: skip
    params_upsert(params)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sync_syncedrecord")  # as autovacuum would after an import (GIN pending list)


def test_each_filter_kind_is_index_backed(workspace, sf_connection, org_control):
    control, org = org_control
    control.add_field(org, "Contact", "Score__c", "double")
    control.load_records(org, "Contact", [
        {"LastName": "Ada", "LeadSource": "Web", "IsEmailBounced": True, "Score__c": 90, "Birthdate": "1990-01-05",
         "Title": "VP Sales"},
        {"LastName": "Bob", "LeadSource": "Phone Inquiry", "Score__c": 40, "Birthdate": "1985-06-01", "Title": "Eng"},
    ])  # fmt: skip
    for name, ftype in FIELDS:
        SyncFieldMapping.objects.create(workspace=workspace, sobject="Contact", field_name=name, display_name=name,
                                        field_type=ftype, filterable=True)  # fmt: skip
    run = full_sync_start(workspace=workspace, sobjects=["Contact"])  # no open transaction: it runs on commit
    run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert SyncedRecord.objects.filter(workspace=workspace, is_deleted=False).count() == 2
    add_filler_rows(workspace, 30_000)

    cases = {
        "gin": ({"f_LeadSource": "Web"}, ["Ada"]),
        "gin ": ({"f_IsEmailBounced": "true"}, ["Ada"]),
        "number": ({"f_Score__c__from": "50"}, ["Ada"]),
        "date": ({"f_Birthdate__to": "1986-01-01"}, ["Bob"]),
        "text": ({"f_Title": "sales"}, ["Ada"]),
    }
    for label, (params, expected) in cases.items():
        fields = filter_fields(workspace=workspace, sobject="Contact", params=params)
        rows = record_list(workspace=workspace, sobject="Contact", fields=fields)
        assert [r.name for r in rows if not r.name.startswith("Filler")] == expected, label
        gin = label.startswith("gin")
        explained = plan(rows, bitmap_only=True)
        wanted = "sync_rec_data_gin" if gin else "sync_rec_f_"
        assert wanted in explained, f"{label}: {params}\n{explained}"


def filter_index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'sync_syncedrecord'")
        return {row[0] for row in cursor.fetchall() if row[0].startswith("sync_rec_f_")}


def test_a_field_made_filterable_on_the_data_sync_page_is_indexed_at_the_next_tick(
    workspace, sf_connection, org_control
):
    from mappings.services.history import settings_section_save
    from sync.indexes import _index_name
    from sync.services.scheduler import workspace_tick

    wanted = _index_name("Contact", "Birthdate", "range_date")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {wanted}")  # DDL outlives the test that created it
    control, org = org_control
    control.load_records(org, "Contact", [{"LastName": "Ada", "Birthdate": "1990-01-05"}])
    rows = [{"field_name": "Birthdate", "display_name": "Born", "filterable": False, "field_type": "date"}]
    settings_section_save(workspace=workspace, section="sync:Contact", rows=rows)
    run = full_sync_start(workspace=workspace, sobjects=["Contact"])
    run_execute(run_id=run.pk)
    workspace_tick(connection=sf_connection)  # the first reconcile (which also indexes) runs now, not below
    assert SyncRun.objects.filter(workspace=workspace, kind=RunKind.RECONCILE, status=RunStatus.SUCCEEDED).exists()
    assert wanted not in filter_index_names()  # not filterable at import time
    runs = SyncRun.objects.filter(workspace=workspace).count()

    rows[0]["filterable"] = True  # what the admin saves on the data sync page
    settings_section_save(workspace=workspace, section="sync:Contact", rows=rows)
    workspace_tick(connection=sf_connection)  # autocommit: the pass is enqueued and, in tests, runs inline

    assert wanted in filter_index_names()
    assert SyncRun.objects.filter(workspace=workspace).count() == runs  # no reconcile: the tick's own index pass
