"""simple-salesforce, unpatched, as an ordinary client of the sandbox (https rewritten by the transport)."""

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceMalformedRequest

from sandbox.transport import sandbox_session


@pytest.fixture
def sf(sandbox_org):
    return sandbox_org.simple_salesforce(sandbox_org.admin_user)


def test_describe(sf):
    names = {s["name"] for s in sf.describe()["sobjects"]}
    assert {"Account", "Contact", "Lead", "Task"} <= names
    fields = {f["name"] for f in sf.Contact.describe()["fields"]}
    assert {"Id", "Email", "AccountId"} <= fields


def test_crud_and_upsert(sandbox, sandbox_org, sf):
    created = sf.Contact.create({"LastName": "Simple", "Email": "simple@example.test"})
    assert created["success"] is True
    contact_id = created["id"]
    assert sf.Contact.update(contact_id, {"Title": "Engineer"}) == 204
    assert sf.Contact.get(contact_id)["Title"] == "Engineer"
    sandbox.control.add_field(sandbox_org.org_id, "Contact", "Ext__c", "string", external_id=True, unique=True)
    assert sf.Contact.upsert("Ext__c/ABC", {"LastName": "Upserted"}) == 201
    assert sf.Contact.upsert("Ext__c/ABC", {"LastName": "Again"}) == 200
    assert sf.Contact.get_by_custom_id("Ext__c", "ABC")["LastName"] == "Again"
    assert sf.Contact.delete(contact_id) == 204


def test_query_all_pages(sandbox, sandbox_org, sf):
    sandbox.control.load_records(
        sandbox_org.org_id, "Lead", fields=["LastName", "Company"], rows=[[f"L{i}", "Co"] for i in range(4100)]
    )
    result = sf.query_all("SELECT Id, LastName FROM Lead")
    assert result["totalSize"] == 4100 and len(result["records"]) == 4100
    first = sf.query("SELECT Id FROM Lead")
    assert first["done"] is False
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2000
    assert sf.api_usage["api-usage"].total == 15000


def test_bulk2_query(sandbox, sandbox_org, sf):
    sandbox.control.load_records(sandbox_org.org_id, "Account", fields=["Name"], rows=[[f"A{i}"] for i in range(3000)])
    pages = list(sf.bulk2.Account.query("SELECT Id, Name FROM Account", max_records=1000, wait=0.01))
    assert len(pages) == 3
    assert sum(len(p.splitlines()) - 1 for p in pages) == 3000


def test_error_mapping(sandbox, sandbox_org, sf):
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.query("SELECT Nope FROM Contact")
    assert exc.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        sf.Contact.create({"FirstName": "NoLast"})
    assert exc.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    sandbox.control.expire_tokens(org=sandbox_org.org_id)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Contact")


def test_composite_through_restful(sf):
    result = sf.restful(
        "composite/sobjects",
        method="POST",
        json={"allOrNone": False, "records": [{"attributes": {"type": "Account"}, "Name": "R1"}]},
    )
    assert result[0]["success"] is True


def test_tls_mode_works_without_the_transport():
    from sandbox.testing import SandboxServer

    with SandboxServer(tls=True) as server:
        assert server.url.startswith("https://")
        http = requests.Session()
        http.verify = server.cert_path
        http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override session.verify
        created = http.post(f"{server.url}/_sandbox/orgs", json={"name": "tls-org"}, timeout=10).json()
        token = http.post(f"{server.url}/_sandbox/tokens", json={"org": "tls-org"}, timeout=10).json()
        sf = Salesforce(instance_url=created["instance_url"], session_id=token["access_token"], session=http)
        assert sf.Account.create({"Name": "Over TLS"})["success"] is True
        assert sf.query("SELECT Name FROM Account")["records"][0]["Name"] == "Over TLS"


def test_transport_only_rewrites_the_sandbox_host(sandbox):
    session = sandbox_session(sandbox.url)
    adapter = session.get_adapter(sandbox.url.replace("http://", "https://") + "/services/data/")
    assert adapter.__class__.__name__ == "SchemeRewriteAdapter"
    assert session.get_adapter("https://login.salesforce.com/").__class__.__name__ == "HTTPAdapter"
