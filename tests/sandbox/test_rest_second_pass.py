"""Second fidelity pass over the REST API (issue 21), over real HTTP."""


def record_counts(api, objects):
    resp = api.get("limits/recordCount", params={"sObjects": objects})
    assert resp.status_code == 200
    return {entry["name"]: entry["count"] for entry in resp.json()["sObjects"]}


def test_record_count_counts_stored_records_per_requested_object(sandbox_org, api):
    before = record_counts(api, "Account,Contact")
    account_id = api.create("Account", Name="Acme")
    api.create("Account", Name="Globex")
    api.create("Contact", LastName="Doe", AccountId=account_id)

    after = record_counts(api, "Account,Contact")

    assert set(after) == {"Account", "Contact"}
    assert after["Account"] == before["Account"] + 2
    assert after["Contact"] == before["Contact"] + 1


def test_every_served_api_version_from_v31_is_listed_and_answers(sandbox, sandbox_org, api):
    import requests

    versions = requests.get(f"{sandbox.url}/services/data/", timeout=10).json()
    listed = [entry["version"] for entry in versions]
    assert listed[0] == "31.0" and listed[-1] == "67.0" and len(listed) == 37
    assert {"version": "31.0", "label": "Summer '14", "url": "/services/data/v31.0"} in versions
    assert {"version": "51.0", "label": "Spring '21", "url": "/services/data/v51.0"} in versions
    assert {"version": "58.0", "label": "Summer '23", "url": "/services/data/v58.0"} in versions

    user_id = sandbox_org.admin_user.id
    resp = api.get(f"/services/data/v51.0/sobjects/User/{user_id}")
    assert resp.status_code == 200 and resp.json()["Id"] == user_id


def test_boolean_fields_accept_true_and_false_strings(sandbox_org, api):
    task_id = api.create("Task", Subject="Call", IsReminderSet="true")
    assert api.get(f"sobjects/Task/{task_id}").json()["IsReminderSet"] is True

    resp = api.patch(f"sobjects/Task/{task_id}", json={"IsReminderSet": "false"})
    assert resp.status_code == 204
    assert api.get(f"sobjects/Task/{task_id}").json()["IsReminderSet"] is False

    resp = api.patch(f"sobjects/Task/{task_id}", json={"IsReminderSet": "yes"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def contact_ids_with_email(api, email):
    resp = api.query(f"SELECT Id, LastName FROM Contact WHERE Email = '{email}'")
    assert resp.status_code == 200, resp.text
    return {r["Id"]: r["LastName"] for r in resp.json()["records"]}


def test_collections_upsert_matches_on_email_because_describe_says_id_lookup(api):
    email_field = next(f for f in api.get("sobjects/Contact/describe").json()["fields"] if f["name"] == "Email")
    assert email_field["idLookup"] is True and email_field["externalId"] is False
    existing = api.create("Contact", LastName="Old", Email="known@example.test")

    resp = api.patch(
        "composite/sobjects/Contact/Email",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Contact"}, "Email": "KNOWN@example.test", "LastName": "Renamed"},
                {"attributes": {"type": "Contact"}, "Email": "new@example.test", "LastName": "Fresh"},
            ],
        },
    )

    assert resp.status_code == 200, resp.text
    updated, inserted = resp.json()
    assert updated == {"id": existing, "success": True, "errors": [], "created": False}
    assert inserted["success"] is True and inserted["created"] is True
    assert contact_ids_with_email(api, "known@example.test") == {existing: "Renamed"}
    assert contact_ids_with_email(api, "new@example.test") == {inserted["id"]: "Fresh"}


def test_single_upsert_by_email_on_lead_through_simple_salesforce(sandbox_org):
    sf = sandbox_org.simple_salesforce(sandbox_org.admin_user)

    assert sf.Lead.upsert("Email/lead@example.test", {"LastName": "First", "Company": "Acme"}) == 201
    assert sf.Lead.upsert("Email/lead@example.test", {"LastName": "Second"}) == 200

    rows = sf.query("SELECT LastName, Company FROM Lead WHERE Email = 'lead@example.test'")["records"]
    assert [(r["LastName"], r["Company"]) for r in rows] == [("Second", "Acme")]
    assert sf.Lead.get_by_custom_id("Email", "lead@example.test")["LastName"] == "Second"


def test_upsert_on_a_field_that_is_not_an_id_lookup_is_refused(api):
    resp = api.patch(
        "composite/sobjects/Contact/LastName",
        json={"records": [{"attributes": {"type": "Contact"}, "LastName": "Doe"}]},
    )
    assert resp.status_code == 404
    assert resp.json()[0]["errorCode"] == "NOT_FOUND"


def test_collections_upsert_on_id_inserts_records_without_an_id(api):
    existing = api.create("Account", Name="Kept")

    resp = api.patch(
        "composite/sobjects/Account/Id",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Id": existing, "Name": "Renamed"},
                {"attributes": {"type": "Account"}, "Id": None, "Name": "Null Id"},
                {"attributes": {"type": "Account"}, "Name": "No Id"},
            ],
        },
    )

    assert resp.status_code == 200, resp.text
    updated, null_id, no_id = resp.json()
    assert updated == {"id": existing, "success": True, "errors": [], "created": False}
    assert null_id["success"] is True and null_id["created"] is True
    assert no_id["success"] is True and no_id["created"] is True
    names = {r["Id"]: r["Name"] for r in api.query("SELECT Id, Name FROM Account").json()["records"]}
    assert names == {existing: "Renamed", null_id["id"]: "Null Id", no_id["id"]: "No Id"}
