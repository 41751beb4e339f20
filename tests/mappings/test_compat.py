from mappings.compat import (
    drift_reason,
    field_accepts_kind,
    field_lookup,
    fields_by_name,
    fields_for_kind,
    required_on_create,
    writable_fields,
)
from mappings.types import ValueKind
from tests.mappings.describes import sf_field, shared_describe, task_describe


def names(fields):
    return {f["name"] for f in fields}


def test_text_variables_fit_text_fields_and_unrestricted_picklists_only():
    describe = task_describe(sb_fields=True)
    fits = names(fields_for_kind(describe, ValueKind.TEXT))
    assert {"Subject", "Description", "CallDisposition", "Type", "sb_sequencename__c"} <= fits
    assert "CallType" not in fits  # restricted picklist
    assert "TaskSubtype" not in fits  # restricted picklist
    assert "CallDurationInSeconds" not in fits
    assert "CompletedDateTime" not in fits  # not createable


def test_each_kind_maps_to_its_field_types():
    describe = task_describe(sb_fields=True)
    assert names(fields_for_kind(describe, ValueKind.URL)) >= {"sb_recordingurl__c"}
    assert "Type" not in names(fields_for_kind(describe, ValueKind.URL))
    assert names(fields_for_kind(describe, ValueKind.NUMBER)) >= {"CallDurationInSeconds"}
    assert names(fields_for_kind(describe, ValueKind.DATETIME)) == {"ActivityDate"}
    assert names(fields_for_kind(describe, ValueKind.BOOLEAN)) == {"IsReminderSet"}


def test_user_reference_only_fits_lookups_to_user():
    to_user = sf_field("sb_sequencedby__c", "reference", referenceTo=["User"])
    to_contact = sf_field("ReportsToId", "reference", referenceTo=["Contact"])
    assert field_accepts_kind(to_user, ValueKind.USER_ID)
    assert not field_accepts_kind(to_contact, ValueKind.USER_ID)
    assert not field_accepts_kind(to_user, ValueKind.TEXT)


def test_update_requires_updateable():
    describe = task_describe()
    assert "TaskSubtype" in names(writable_fields(describe))
    assert "TaskSubtype" not in names(writable_fields(describe, update=True))


def test_fields_hidden_by_fls_are_not_offered():
    describe = task_describe(sb_fields=True, hidden=("sb_recordingurl__c",))
    assert "sb_recordingurl__c" not in names(writable_fields(describe))


def test_exclude_is_case_insensitive():
    assert "WhoId" not in names(writable_fields(task_describe(), exclude=("whoid",)))


def test_required_on_create_on_real_lead_describe():
    assert names(required_on_create(shared_describe("Lead"))) == {"LastName", "Company"}
    assert names(required_on_create(shared_describe("Contact"))) == {"LastName"}
    assert "Name" in names(required_on_create(shared_describe("Account")))


def test_lookup_is_case_insensitive():
    fields = fields_by_name(task_describe(sb_fields=True))
    assert field_lookup(fields, "SB_RecordingURL__c")["name"] == "sb_recordingurl__c"
    assert field_lookup(fields, "Nope__c") is None


def test_drift_reason_explains_missing_and_readonly_fields():
    fields = fields_by_name(task_describe())
    assert drift_reason(field_lookup(fields, "Subject")) is None
    assert "no longer exists" in drift_reason(None)
    assert "no longer writable" in drift_reason(field_lookup(fields, "IsClosed"))
    assert "no longer writable" in drift_reason(field_lookup(fields, "TaskSubtype"), update=True)
