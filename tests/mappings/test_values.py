from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mappings.values import InvalidValue, constant_clean, format_datetime, value_coerce
from tests.mappings.describes import sf_field


def test_strings_are_cut_to_the_field_length_or_refused_as_constants():
    field = sf_field("Short__c", "string", length=5)
    assert value_coerce(field, "abcdefgh") == "abcde"
    with pytest.raises(InvalidValue, match="At most 5 characters"):
        constant_clean(field, "abcdefgh")
    assert constant_clean(field, " abc ") == "abc"


def test_restricted_picklist_accepts_only_active_values():
    field = sf_field("CallType", "picklist", length=40, restrictedPicklist=True, values=("Inbound", ("Old", False)))
    assert constant_clean(field, "Inbound") == "Inbound"
    with pytest.raises(InvalidValue, match="not an active value"):
        constant_clean(field, "Old")
    with pytest.raises(InvalidValue):
        value_coerce(field, "Outbound")


def test_unrestricted_picklist_accepts_other_values():
    field = sf_field("Type", "picklist", length=40, values=("Call",))
    assert constant_clean(field, "Carrier pigeon") == "Carrier pigeon"


def test_multipicklist_checks_each_value():
    field = sf_field("Tags__c", "multipicklist", length=255, restrictedPicklist=True, values=("A", "B"))
    assert constant_clean(field, "A;B") == "A;B"
    with pytest.raises(InvalidValue):
        constant_clean(field, "A;C")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("No", False), ("1", True), (False, False)])
def test_booleans(raw, expected):
    assert value_coerce(sf_field("Flag__c", "boolean"), raw) is expected


def test_boolean_rejects_other_words():
    with pytest.raises(InvalidValue, match="true or false"):
        constant_clean(sf_field("Flag__c", "boolean"), "maybe")


def test_int_and_double():
    assert value_coerce(sf_field("N", "int", digits=8), "42") == 42
    assert value_coerce(sf_field("N", "int", digits=8), 41.6) == 42
    with pytest.raises(InvalidValue, match="at most 3 digits"):
        value_coerce(sf_field("N", "int", digits=3), 12345)
    with pytest.raises(InvalidValue, match="whole number"):
        constant_clean(sf_field("N", "int"), "twelve")
    assert value_coerce(sf_field("D", "double", scale=2), "3.14159") == 3.14
    with pytest.raises(InvalidValue):
        constant_clean(sf_field("D", "double"), "nan")


def test_dates_and_datetimes_use_salesforce_formats():
    moment = datetime(2025, 3, 14, 23, 30, 5, 123456, tzinfo=timezone(timedelta(hours=-5)))
    assert value_coerce(sf_field("When__c", "datetime"), moment) == "2025-03-15T04:30:05.123Z"
    assert value_coerce(sf_field("Day__c", "date"), moment) == "2025-03-15"
    assert value_coerce(sf_field("Day__c", "date"), date(2025, 1, 2)) == "2025-01-02"
    assert value_coerce(sf_field("When__c", "datetime"), "2025-01-02T03:04:05") == "2025-01-02T03:04:05.000Z"
    with pytest.raises(InvalidValue, match="date like"):
        constant_clean(sf_field("Day__c", "date"), "next tuesday")
    assert format_datetime(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00.000Z"


def test_datetime_into_a_text_field_is_formatted():
    assert (
        value_coerce(sf_field("T", "string", length=80), datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00.000Z"
    )


def test_blank_constant_is_refused():
    with pytest.raises(InvalidValue, match="Enter a value"):
        constant_clean(sf_field("T", "string", length=10), "   ")
