"""`POST /_sandbox/records` loads every emulated object, derived fields included, and the rows are queryable."""

import pytest

ROWS = {
    "Account": (["Name"], ["Loader Co"]),
    "Contact": (["FirstName", "LastName"], ["Ana", "Loader"]),
    "Lead": (["LastName", "Company"], ["Loader", "Loader Co"]),
    "Opportunity": (["Name", "StageName", "CloseDate"], ["Loader deal", "Closed Won", "2026-01-31"]),
    "Task": (["Subject", "Status"], ["Loader call", "Completed"]),
    "Case": (["Subject", "Status"], ["Loader case", "Closed"]),
}


@pytest.mark.parametrize("sobject", sorted(ROWS))
def test_loader_takes_every_emulated_object(sandbox, sandbox_org, api, sobject):
    fields, values = ROWS[sobject]
    count = sandbox.control.load_records(sandbox_org.org_id, sobject, fields=fields, rows=[values], return_ids=False)
    assert count == 1
    where = " AND ".join(f"{f} = '{v}'" for f, v in zip(fields, values, strict=True) if f != "CloseDate")
    assert api.query(f"SELECT COUNT() FROM {sobject} WHERE {where}").json()["totalSize"] == 1


def test_loaded_records_get_their_derived_fields(sandbox, sandbox_org, api):
    sandbox.control.load_records(
        sandbox_org.org_id,
        "Opportunity",
        fields=["Name", "StageName", "CloseDate"],
        rows=[["Won deal", "Closed Won", "2026-01-31"]],
        return_ids=False,
    )
    record = api.query("SELECT IsClosed, IsWon FROM Opportunity WHERE Name = 'Won deal'").json()["records"][0]
    assert record["IsClosed"] is True and record["IsWon"] is True
