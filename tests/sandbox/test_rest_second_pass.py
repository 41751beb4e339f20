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
