"""Composite: references between subrequests, allOrNone rollback, limits, cost."""


def test_references_between_subrequests(api):
    resp = api.post(
        "composite",
        json={
            "allOrNone": False,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Account",
                    "referenceId": "acct",
                    "body": {"Name": "Composite Co"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Contact",
                    "referenceId": "ct",
                    "body": {"LastName": "Ref", "AccountId": "@{acct.id}"},
                },
                {
                    "method": "GET",
                    "url": "/services/data/v62.0/sobjects/Contact/@{ct.id}?fields=AccountId",
                    "referenceId": "read",
                },
                {"method": "GET", "url": "/services/data/v62.0/query?q=SELECT+Id+FROM+Account", "referenceId": "q"},
            ],
        },
    )
    assert resp.status_code == 200
    items = resp.json()["compositeResponse"]
    assert [i["httpStatusCode"] for i in items] == [201, 201, 200, 200]
    assert [i["referenceId"] for i in items] == ["acct", "ct", "read", "q"]
    assert items[2]["body"]["AccountId"] == items[0]["body"]["id"]
    assert items[0]["httpHeaders"]["Location"].endswith(items[0]["body"]["id"])
    assert items[3]["body"]["records"][0]["Id"] == items[0]["body"]["id"]


def test_all_or_none_rolls_back_and_halts(api):
    resp = api.post(
        "composite",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Account",
                    "referenceId": "a",
                    "body": {"Name": "Gone"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Contact",
                    "referenceId": "bad",
                    "body": {"FirstName": "NoLast"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Account",
                    "referenceId": "never",
                    "body": {"Name": "Never"},
                },
            ],
        },
    )
    items = resp.json()["compositeResponse"]
    assert resp.status_code == 200
    assert items[1]["httpStatusCode"] == 400 and items[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    for i in (0, 2):
        assert items[i]["httpStatusCode"] == 400 and items[i]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert api.query("SELECT COUNT() FROM Account").json()["totalSize"] == 0


def test_failed_reference_halts_only_dependents_without_all_or_none(api):
    resp = api.post(
        "composite",
        json={
            "compositeRequest": [
                {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "bad", "body": {}},
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Task",
                    "referenceId": "dep",
                    "body": {"Subject": "x", "WhoId": "@{bad.id}"},
                },
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Account",
                    "referenceId": "ok",
                    "body": {"Name": "Independent"},
                },
            ]
        },
    )
    codes = [i["httpStatusCode"] for i in resp.json()["compositeResponse"]]
    assert codes == [400, 400, 201]
    assert resp.json()["compositeResponse"][1]["body"][0]["errorCode"] == "PROCESSING_HALTED"


def test_limits_and_cost(sandbox, sandbox_org, api):
    too_many = [{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": f"r{i}"} for i in range(26)]
    resp = api.post("composite", json={"compositeRequest": too_many})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    sandbox.control.clear_requests()
    ok = api.post("composite", json={"compositeRequest": too_many[:25]})
    assert ok.status_code == 200 and len(ok.json()["compositeResponse"]) == 25
    assert sum(e["api_cost"] for e in sandbox.control.requests(org=sandbox_org.org_id)) == 1
