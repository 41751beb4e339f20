"""Scope values Salesforce would reject are a clear validation error, not a failed sync (or a 500)."""

from __future__ import annotations

import pytest

from sync.soql import SoqlBuildError, coerce_value


@pytest.mark.parametrize("raw", ["1e400", "9" * 19, "9" * 5000, "-1e30", "inf", "nan"])
@pytest.mark.parametrize("field_type", ["double", "int"])
def test_out_of_range_numbers_are_rejected(field_type, raw):
    with pytest.raises(SoqlBuildError):
        coerce_value(field_type, raw)


def test_numbers_salesforce_holds_still_pass():
    assert coerce_value("double", "9" * 18) == float("9" * 18)
    assert coerce_value("int", "-42") == -42
    assert coerce_value("double", "0") == 0.0


def test_picklist_values_the_org_does_not_offer_are_rejected():
    from sync.soql import filter_clause
    from sync.types import FilterOperator

    fields = {
        "LeadSource": {"type": "picklist", "picklistValues": [{"value": "Web"}, {"value": "Old", "active": False}]}
    }
    assert "Web" in filter_clause(field_name="LeadSource", operator=FilterOperator.IN, values=["Web"], fields=fields)
    for bad in ("Wbe", "Old"):
        with pytest.raises(SoqlBuildError, match=bad):
            filter_clause(field_name="LeadSource", operator=FilterOperator.IN, values=[bad], fields=fields)
