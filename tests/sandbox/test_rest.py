"""sObject CRUD, upsert, validation errors, system fields and usage accounting over real HTTP."""

import requests

from sandbox import ids


def test_versions_list_needs_no_auth_and_costs_nothing(sandbox, api):
    resp = requests.get(f"{sandbox.url}/services/data/", timeout=10)
    assert resp.status_code == 200
    versions = resp.json()
    assert {"label", "url", "version"} == set(versions[0])
    assert {"version": "62.0", "label": "Winter '25", "url": "/services/data/v62.0"} in versions
    assert "Sforce-Limit-Info" not in resp.headers


def test_create_read_update_delete_roundtrip(sandbox_org, api):
    account_id = api.create("Account", Name="Acme")
    resp = api.post(
        "sobjects/Contact",
        json={"LastName": "Doe", "FirstName": "Jane", "Email": "jane@acme.test", "AccountId": account_id},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["success"] is True and body["errors"] == []
    contact_id = body["id"]
    assert contact_id.startswith("003") and ids.to18(contact_id[:15]) == contact_id

    record = api.get(f"sobjects/Contact/{contact_id}").json()
    assert record["attributes"] == {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/{contact_id}"}
    assert record["Name"] == "Jane Doe"
    admin = sandbox_org.admin_user.id
    assert record["CreatedById"] == admin and record["LastModifiedById"] == admin and record["OwnerId"] == admin
    assert record["CreatedDate"] == record["SystemModstamp"]
    assert record["CreatedDate"].endswith("+0000") and len(record["CreatedDate"]) == 28
    assert record["IsDeleted"] is False

    resp = api.patch(f"sobjects/Contact/{contact_id}", json={"Title": "CTO"})
    assert resp.status_code == 204 and resp.content == b""
    fields = api.get(f"sobjects/Contact/{contact_id}", params={"fields": "Title,Email"}).json()
    assert fields["Title"] == "CTO" and set(fields) == {"attributes", "Title", "Email"}

    assert api.delete(f"sobjects/Contact/{contact_id}").status_code == 204
    gone = api.get(f"sobjects/Contact/{contact_id}")
    assert gone.status_code == 404
    again = api.delete(f"sobjects/Contact/{contact_id}")
    assert again.status_code == 404 and again.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_fifteen_char_ids_are_accepted(api):
    contact_id = api.create("Contact", LastName="Short")
    resp = api.get(f"sobjects/Contact/{contact_id[:15]}")
    assert resp.status_code == 200 and resp.json()["Id"] == contact_id
    task = api.post("sobjects/Task", json={"Subject": "Call", "WhoId": contact_id[:15]})
    assert task.status_code == 201
    assert api.get(f"sobjects/Task/{task.json()['id']}").json()["WhoId"] == contact_id


def test_last_modified_by_is_the_token_user(sandbox_org, api, rep_api):
    contact_id = api.create("Contact", LastName="Owner")
    before = api.get(f"sobjects/Contact/{contact_id}").json()
    assert rep_api.patch(f"sobjects/Contact/{contact_id}", json={"Title": "VP"}).status_code == 204
    after = api.get(f"sobjects/Contact/{contact_id}").json()
    assert after["CreatedById"] == sandbox_org.admin_user.id
    assert after["LastModifiedById"] == sandbox_org.rep_user.id
    assert after["SystemModstamp"] >= before["SystemModstamp"]


def test_validation_errors_have_salesforce_codes(api):
    cases = [
        ({"FirstName": "NoLast"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
        ({"LastName": "x" * 81}, "STRING_TOO_LONG", ["LastName"]),
        ({"LastName": "A", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
        ({"LastName": "A", "AccountId": "nonsense"}, "MALFORMED_ID", ["AccountId"]),
        ({"LastName": "A", "Nope__c": 1}, "INVALID_FIELD", []),
        ({"LastName": "A", "Name": "Full"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
        (
            {"LastName": "A", "MailingGeocodeAccuracy": "Galaxy"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["MailingGeocodeAccuracy"],
        ),
    ]
    for body, code, fields in cases:
        resp = api.post("sobjects/Contact", json=body)
        assert resp.status_code == 400, (body, resp.text)
        error = resp.json()[0]
        assert error["errorCode"] == code, (body, error)
        assert error["fields"] == fields
        assert set(error) == {"message", "errorCode", "fields"}


def test_lookup_to_the_wrong_object_is_a_field_integrity_error(api):
    lead_id = api.create("Lead", LastName="L", Company="C")
    resp = api.post("sobjects/Contact", json={"LastName": "A", "AccountId": lead_id})
    assert resp.status_code == 400
    assert resp.json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_unknown_and_malformed_ids(api):
    missing = ids.IdFactory(start=12345).new("003")
    resp = api.get(f"sobjects/Contact/{missing}")
    assert resp.status_code == 404
    assert resp.json() == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
    resp = api.patch("sobjects/Contact/003xx000004TmiQQAS", json={"Title": "x"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "MALFORMED_ID"


def test_task_fields_and_derived_values(sandbox_org, api):
    account_id = api.create("Account", Name="Globex")
    contact_id = api.create("Contact", LastName="Simpson", AccountId=account_id)
    resp = api.post(
        "sobjects/Task",
        json={
            "Subject": "Call",
            "WhoId": contact_id,
            "Status": "Completed",
            "Priority": "High",
            "Type": "Call",
            "TaskSubtype": "Call",
            "CallDurationInSeconds": 95,
            "CallDisposition": "Connected",
            "ActivityDate": "2024-05-01",
        },
    )
    assert resp.status_code == 201, resp.text
    task = api.get(f"sobjects/Task/{resp.json()['id']}").json()
    assert task["IsClosed"] is True and task["CompletedDateTime"] is not None
    assert task["AccountId"] == account_id
    assert task["OwnerId"] == sandbox_org.admin_user.id
    assert task["IsHighPriority"] is True
    # TaskSubtype is settable on create only.
    resp = api.patch(f"sobjects/Task/{task['Id']}", json={"TaskSubtype": "Email"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    resp = api.post("sobjects/Task", json={"Subject": "x", "CallType": "Sideways"})
    assert resp.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_converted_leads_are_not_editable(sandbox, sandbox_org, api):
    lead_id = api.create("Lead", LastName="Convert", Company="Initech", Email="c@initech.test")
    converted = sandbox.control.convert_lead(sandbox_org.org_id, lead_id)
    resp = api.patch(f"sobjects/Lead/{lead_id}", json={"Title": "x"})
    assert resp.status_code == 400
    assert resp.json()[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    lead = api.get(f"sobjects/Lead/{lead_id}").json()
    assert lead["IsConverted"] is True and lead["ConvertedContactId"] == converted["contact_id"]
    task = api.post("sobjects/Task", json={"Subject": "Call", "WhoId": lead_id})
    assert task.status_code == 400 and task.json()[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_upsert_by_external_id(sandbox, sandbox_org, api):
    sandbox.control.add_field(
        sandbox_org.org_id, "Contact", "Ext_Id__c", "string", length=40, external_id=True, unique=True
    )
    resp = api.patch("sobjects/Contact/Ext_Id__c/E-1", json={"LastName": "First"})
    assert resp.status_code == 201
    created = resp.json()
    assert created["created"] is True and created["success"] is True
    resp = api.patch("sobjects/Contact/Ext_Id__c/E-1", json={"LastName": "Second"})
    assert resp.status_code == 200 and resp.json() == {**created, "created": False}
    record = api.get("sobjects/Contact/Ext_Id__c/E-1").json()
    assert record["LastName"] == "Second" and record["Ext_Id__c"] == "E-1"
    only = api.patch("sobjects/Contact/Ext_Id__c/E-2", params={"updateOnly": "true"}, json={"LastName": "X"})
    assert only.status_code == 404
    dup = api.post("sobjects/Contact", json={"LastName": "Dup", "Ext_Id__c": "e-1"})
    assert dup.status_code == 400 and dup.json()[0]["errorCode"] == "DUPLICATE_VALUE"
    bad = api.patch("sobjects/Contact/Title/x", json={"LastName": "X"})  # Title is no idLookup field
    assert bad.status_code == 404 and bad.json()[0]["errorCode"] == "NOT_FOUND"


def test_upsert_with_several_matches_answers_300(sandbox, sandbox_org, api):
    sandbox.control.add_field(sandbox_org.org_id, "Lead", "Legacy_Id__c", "string", external_id=True)
    for _ in range(2):
        api.create("Lead", LastName="L", Company="C", Legacy_Id__c="same")
    resp = api.patch("sobjects/Lead/Legacy_Id__c/same", json={"LastName": "Z"})
    assert resp.status_code == 300
    assert len(resp.json()) == 2 and all(u.startswith("/services/data/v62.0/sobjects/Lead/") for u in resp.json())


def test_invalid_session_and_unknown_version(sandbox, api):
    resp = requests.get(
        f"{sandbox.url}/services/data/v62.0/sobjects", headers={"Authorization": "Bearer nope"}, timeout=10
    )
    assert resp.status_code == 401
    assert resp.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert api.get("/services/data/v12.0/sobjects").status_code == 404


def test_malformed_json_is_a_parser_error_not_a_crash(api):
    resp = api.post("sobjects/Contact", data="{not json", headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    resp = api.post("sobjects/Contact", json=["a", "list"])
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    resp = api.post("sobjects/Contact", json={"LastName": "A", "DoNotCall": "yes"})
    assert resp.status_code == 400


def test_every_call_counts_and_the_limit_is_enforced(sandbox, sandbox_org, api):
    first = api.get("limits")
    used, limit = first.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    assert int(limit) == 15000  # Developer Edition
    second = api.get("sobjects")
    assert second.headers["Sforce-Limit-Info"] == f"api-usage={int(used) + 1}/{limit}"
    assert first.json()["DailyApiRequests"]["Max"] == 15000
    sandbox.control.settings(sandbox_org.org_id, api_limit=int(used) + 2)
    assert api.get("sobjects").status_code == 200  # the last allowed call
    blocked = api.get("sobjects")
    assert blocked.status_code == 403
    assert blocked.json()[0] == {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    assert blocked.headers["Sforce-Limit-Info"] == f"api-usage={int(used) + 2}/{int(used) + 2}"


def test_api_disabled_profile_gets_403(sandbox, sandbox_org, api):
    sandbox.control.set_permissions(sandbox_org.org_id, "System Administrator", api_enabled=False)
    resp = api.get("sobjects")
    assert resp.status_code == 403 and resp.json()[0]["errorCode"] == "API_DISABLED_FOR_ORG"


def test_get_updated_and_get_deleted(sandbox, sandbox_org, api):
    keep = api.create("Account", Name="Keep")
    drop = api.create("Account", Name="Drop")
    assert api.delete(f"sobjects/Account/{drop}").status_code == 204
    sandbox.control.clock(advance_s=120)
    try:
        now = sandbox.control.clock()["now"]
        start = "2000-01-01T00:00:00Z"
        too_old = api.get("sobjects/Account/updated/", params={"start": start, "end": now})
        assert too_old.status_code == 400 and too_old.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
        import datetime as dt

        recent = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        updated = api.get("sobjects/Account/updated/", params={"start": recent, "end": now}).json()
        assert keep in updated["ids"] and drop not in updated["ids"]
        assert updated["latestDateCovered"].endswith(":00.000+0000")
        deleted = api.get("sobjects/Account/deleted/", params={"start": recent, "end": now}).json()
        assert [r["id"] for r in deleted["deletedRecords"]] == [drop]
        assert {"deletedRecords", "earliestDateAvailable", "latestDateCovered"} == set(deleted)
    finally:
        sandbox.control.clock(offset_s=0)


def test_field_level_security_hides_and_locks_fields(sandbox, sandbox_org, api, rep_api):
    sandbox.control.set_permissions(
        sandbox_org.org_id, "Standard User", fields={"Contact.Email": "hidden", "Contact.Title": "read"}
    )
    contact_id = api.create("Contact", LastName="Secret", Email="s@x.test", Title="Boss")
    record = rep_api.get(f"sobjects/Contact/{contact_id}").json()
    assert "Email" not in record and record["Title"] == "Boss"
    resp = rep_api.patch(f"sobjects/Contact/{contact_id}", json={"Title": "Peon"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    resp = rep_api.query("SELECT Id, Email FROM Contact")
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INVALID_FIELD"
    describe = rep_api.get("sobjects/Contact/describe").json()
    by_name = {f["name"]: f for f in describe["fields"]}
    assert "Email" not in by_name
    assert by_name["Title"]["updateable"] is False and by_name["Title"]["createable"] is False
    assert api.get("sobjects/Contact/describe").json()["fields"][0]["name"] == "Id"


def test_object_permissions(sandbox, sandbox_org, rep_api):
    sandbox.control.set_permissions(sandbox_org.org_id, "Standard User", objects={"Lead": "r"})
    resp = rep_api.post("sobjects/Lead", json={"LastName": "A", "Company": "B"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"
    describe = rep_api.get("sobjects/Lead/describe").json()
    assert describe["createable"] is False and describe["queryable"] is True
