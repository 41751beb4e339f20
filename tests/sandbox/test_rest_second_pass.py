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
