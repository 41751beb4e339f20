"""sObject Collections: create, update, upsert, delete, retrieve; per-record results and allOrNone."""


def test_create_mixed_types_with_per_record_errors(api):
    resp = api.post(
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Contact"}, "LastName": "Ok"},
                {"attributes": {"type": "Contact"}, "FirstName": "NoLast"},
                {"attributes": {"type": "Task"}, "Subject": "Call"},
            ],
        },
    )
    assert resp.status_code == 200
    results = resp.json()
    assert results[0]["success"] is True and results[0]["id"].startswith("003")
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert results[2]["id"].startswith("00T")
    assert api.query("SELECT COUNT() FROM Contact").json()["totalSize"] == 1


def test_all_or_none_rolls_everything_back(api):
    resp = api.post(
        "composite/sobjects",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Contact"}, "LastName": "Ok"},
                {"attributes": {"type": "Contact"}, "LastName": "x" * 100},
            ],
        },
    )
    results = resp.json()
    assert resp.status_code == 200
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert api.query("SELECT COUNT() FROM Contact").json()["totalSize"] == 0


def test_update_and_delete(api):
    a = api.create("Lead", LastName="A", Company="C")
    b = api.create("Lead", LastName="B", Company="C")
    resp = api.patch(
        "composite/sobjects",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Lead"}, "id": a, "Title": "Boss"},
                {"attributes": {"type": "Lead"}, "id": "00Qbadbadbad", "Title": "x"},
                {"attributes": {"type": "Lead"}, "id": b, "Status": "Working - Contacted"},
            ],
        },
    )
    results = resp.json()
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert api.get(f"sobjects/Lead/{a}").json()["Title"] == "Boss"
    deleted = api.delete("composite/sobjects", params={"ids": f"{a},{b}", "allOrNone": "false"}).json()
    assert deleted == [{"id": a, "success": True, "errors": []}, {"id": b, "success": True, "errors": []}]
    again = api.delete("composite/sobjects", params={"ids": a}).json()
    assert again[0]["success"] is False and again[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_upsert_on_external_id(sandbox, sandbox_org, api):
    sandbox.control.add_field(
        sandbox_org.org_id, "Task", "Activity_Id__c", "string", length=64, external_id=True, unique=True
    )
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Task"}, "Activity_Id__c": "act-1", "Subject": "Call 1"},
            {"attributes": {"type": "Task"}, "Activity_Id__c": "act-2", "Subject": "Call 2"},
        ],
    }
    first = api.patch("composite/sobjects/Task/Activity_Id__c", json=body).json()
    assert [r["created"] for r in first] == [True, True]
    body["records"][0]["Subject"] = "Call 1 (edited)"
    second = api.patch("composite/sobjects/Task/Activity_Id__c", json=body).json()
    assert [r["created"] for r in second] == [False, False]
    assert [r["id"] for r in second] == [r["id"] for r in first]
    subjects = {r["Subject"] for r in api.query("SELECT Subject FROM Task").json()["records"]}
    assert subjects == {"Call 1 (edited)", "Call 2"}


def test_retrieve(api):
    a = api.create("Account", Name="Acme")
    resp = api.get("composite/sobjects/Account", params={"ids": a, "fields": "Id,Name"})
    assert resp.json() == [
        {
            "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{a}"},
            "Id": a,
            "Name": "Acme",
        }
    ]


def test_more_than_200_records_is_rejected(api):
    records = [{"attributes": {"type": "Contact"}, "LastName": str(i)} for i in range(201)]
    resp = api.post("composite/sobjects", json={"records": records})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert api.query("SELECT COUNT() FROM Contact").json()["totalSize"] == 0


def test_collections_cost_one_call(sandbox, sandbox_org, api):
    sandbox.control.clear_requests()
    records = [{"attributes": {"type": "Contact"}, "LastName": str(i)} for i in range(200)]
    assert api.post("composite/sobjects", json={"records": records}).status_code == 200
    log = sandbox.control.requests(org=sandbox_org.org_id)
    assert [(e["path"], e["api_cost"]) for e in log] == [("/services/data/v62.0/composite/sobjects", 1)]
