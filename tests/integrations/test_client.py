"""The one Salesforce client against the sandbox: typed errors, usage bookkeeping, describe cache."""

import pytest

from integrations.errors import ApiLimitReached, FailWithReason, RetryLater
from integrations.models import DescribeCache
from integrations.providers.salesforce.client import SalesforceClient
from integrations.providers.salesforce.ids import to18
from integrations.services.metadata import describe_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def faults(sandbox):
    yield sandbox.control
    sandbox.control.clear_faults()


def describe_calls(control, sobject: str) -> int:
    return sum(1 for r in control.requests() if r["path"].endswith(f"/sobjects/{sobject}/describe/"))


def test_validation_errors_carry_code_message_and_fields(sandbox_org, salesforce_connection):
    client = SalesforceClient(salesforce_connection)
    with pytest.raises(FailWithReason) as caught:
        client.create("Lead", {"FirstName": "No last name"})
    assert caught.value.code == "REQUIRED_FIELD_MISSING"
    assert "LastName" in caught.value.fields or "LastName" in caught.value.message


def test_a_missing_record_fails_with_reason(sandbox_org, salesforce_connection):
    with pytest.raises(FailWithReason) as caught:
        SalesforceClient(salesforce_connection).get("Lead", to18("00Q8d000000ZZZZ"))
    assert caught.value.status == 404


def test_server_errors_and_dropped_connections_retry_later(sandbox_org, salesforce_connection, faults):
    client = SalesforceClient(salesforce_connection)
    faults.fault(path="/services/data/*/query*", status=503, times=1)
    with pytest.raises(RetryLater) as caught:
        client.query("SELECT Id FROM Lead")
    assert caught.value.code == "SERVER_UNAVAILABLE"

    faults.fault(path="/services/data/*/query*", action="drop", times=1)
    with pytest.raises(RetryLater) as dropped:
        client.query("SELECT Id FROM Lead")
    assert dropped.value.code == "CONNECTION_ERROR"
    assert client.query("SELECT Id FROM Lead")["done"] is True


def test_the_concurrent_request_limit_waits_as_long_as_salesforce_says(sandbox_org, salesforce_connection, faults):
    client = SalesforceClient(salesforce_connection)
    message = "ConcurrentPerOrgLongTxn Limit exceeded"
    faults.fault(path="/services/data/*/query*", status=403, error_code="REQUEST_LIMIT_EXCEEDED", message=message,
                 headers={"Retry-After": "7"}, times=1)  # fmt: skip
    with pytest.raises(RetryLater) as told:
        client.query("SELECT Id FROM Lead")
    assert told.value.retry_after == 7.0
    faults.fault(path="/services/data/*/query*", status=403, error_code="REQUEST_LIMIT_EXCEEDED", message=message,
                 times=1)  # fmt: skip
    with pytest.raises(RetryLater) as untold:
        client.query("SELECT Id FROM Lead")
    assert untold.value.retry_after == 30


def test_the_daily_limit_becomes_api_limit_reached(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.settings(sandbox_org.org_id, api_limit=100, api_used=100)
    with pytest.raises(ApiLimitReached) as caught:
        SalesforceClient(salesforce_connection).query("SELECT Id FROM Lead")
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED" and caught.value.retry_after


def test_describes_are_cached_and_refreshed_on_demand(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.clear_requests()

    first = describe_get(connection=salesforce_connection, sobject="Lead")
    again = describe_get(connection=salesforce_connection, sobject="Lead")
    assert describe_calls(sandbox.control, "Lead") == 1
    assert again.payload == first.payload

    sandbox.control.add_field(sandbox_org.org_id, "Lead", "Fresh__c", "string", length=10)
    forced = describe_get(connection=salesforce_connection, sobject="Lead", force=True)
    assert describe_calls(sandbox.control, "Lead") == 2
    assert "Fresh__c" in forced.field_map()


def test_invalid_field_forgets_the_cached_describe(sandbox, sandbox_org, salesforce_connection):
    describe_get(connection=salesforce_connection, sobject="Lead")
    describe_get(connection=salesforce_connection, sobject="Contact")
    sandbox.control.add_field(sandbox_org.org_id, "Lead", "Added__c", "string", length=10)

    with pytest.raises(FailWithReason) as caught:
        SalesforceClient(salesforce_connection).query("SELECT Gone__c FROM Lead")

    assert caught.value.code == "INVALID_FIELD"
    cached = set(DescribeCache.objects.filter(connection=salesforce_connection).values_list("sobject", flat=True))
    assert cached == {"Contact"}
    sandbox.control.clear_requests()
    fresh = describe_get(connection=salesforce_connection, sobject="Lead")  # no force: the cache was dropped
    assert describe_calls(sandbox.control, "Lead") == 1 and "Added__c" in fresh.field_map()
