"""The HTTP layer: robustness against bad input, methods, keep-alive, the index page, other objects."""

import socket

import requests


def test_garbage_on_the_wire_does_not_kill_the_server(sandbox):
    host, port = sandbox.url.removeprefix("http://").split(":")
    for payload in (
        b"\x00\xff garbage\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /_sandbox/orgs HTTP/1.1\r\nContent-Length: 5\r\n\r\n{bad}",
    ):
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(payload)
            sock.recv(4096)
    assert requests.get(f"{sandbox.url}/_sandbox/latency", timeout=10).status_code == 200


def test_bad_encodings_and_types_answer_json(sandbox, api):
    # Undecodable bytes in the query string are replaced, as a lenient server would: a clean answer.
    resp = api.get(
        "query", params={"q": "SELECT Id FROM Contact WHERE LastName = '\udcff'".encode("utf-8", "surrogatepass")}
    )
    assert resp.status_code == 200 and resp.json()["totalSize"] == 0
    bad_body = api.post("sobjects/Contact", data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert bad_body.status_code == 400 and bad_body.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    wrong = requests.post(f"{sandbox.url}/_sandbox/orgs", json={"name": "typed", "licenses": "many"}, timeout=10)
    assert wrong.status_code == 400 and "error" in wrong.json()


def test_methods_keep_alive_and_index(sandbox, api):
    assert api.http.request("PUT", api.url("sobjects/Contact")).status_code == 405
    head = api.http.head(api.url("limits"))
    assert head.status_code == 200 and head.content == b""
    session = requests.Session()
    first = session.get(f"{sandbox.url}/_sandbox/latency", timeout=10)
    second = session.get(f"{sandbox.url}/_sandbox/latency", timeout=10)
    assert first.headers.get("Connection") != "close" and second.status_code == 200
    page = requests.get(sandbox.url + "/", timeout=10)
    assert page.status_code == 200 and "Sandbox orgs" in page.text
    assert requests.get(sandbox.url + "/nothing", timeout=10).status_code == 404


def test_opportunity_and_case_derived_fields(api):
    account = api.create("Account", Name="Deals")
    opp = api.create(
        "Opportunity", Name="Big deal", StageName="Closed Won", CloseDate="2024-05-15", Amount=1000, AccountId=account
    )
    record = api.get(f"sobjects/Opportunity/{opp}").json()
    assert record["IsClosed"] is True and record["IsWon"] is True and record["Probability"] == 100.0
    assert record["ExpectedRevenue"] == 1000.0 and record["FiscalQuarter"] == 2
    missing = api.post("sobjects/Opportunity", json={"Name": "No stage"})
    assert missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert set(missing.json()[0]["fields"]) == {"StageName", "CloseDate"}
    case = api.create("Case", Subject="Broken", Status="Closed", AccountId=account)
    record = api.get(f"sobjects/Case/{case}").json()
    assert record["IsClosed"] is True and record["CaseNumber"].isdigit() and record["Priority"] == "Medium"
    info = api.get("sobjects/Case").json()
    assert info["objectDescribe"]["keyPrefix"] == "500" and info["recentItems"][0]["Id"] == case


def test_users_are_queryable_with_owner_relationship(sandbox_org, api):
    api.create("Lead", LastName="Owned", Company="C")
    lead = api.query("SELECT Owner.Name, Owner.Username FROM Lead").json()["records"][0]
    assert lead["Owner"]["Username"] == sandbox_org.admin_user.username
    users = api.query("SELECT Id, Username, IsActive, Profile.Name FROM User ORDER BY Username")
    assert users.status_code == 400  # Profile is not an emulated object: a clean error, not a crash
    assert users.json()[0]["errorCode"] == "INVALID_FIELD"
    plain = api.query("SELECT Id, Username, IsActive, UserType FROM User").json()
    assert {r["Username"] for r in plain["records"]} == {u.username for u in sandbox_org.users}
    assert {r["UserType"] for r in plain["records"]} == {"Standard"}


def test_a_record_link_opens_the_record_in_the_sandbox(sandbox, api):
    """Switchboard links records as Salesforce does (Lightning and Classic addresses); in the demo those links must
    open the record, not a JSON 404."""
    made = api.post("sobjects/Account", json={"Name": "Acme <Tools> & Co"}).json()["id"]
    for path in (f"/lightning/r/Account/{made}/view", f"/{made}", f"/{made[:15]}"):
        page = requests.get(f"{sandbox.url}{path}", timeout=10)
        assert page.status_code == 200, path
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Account: Acme &lt;Tools&gt; &amp; Co" in page.text and made in page.text
    api.delete(f"sobjects/Account/{made}")
    gone = requests.get(f"{sandbox.url}/lightning/r/Account/{made}/view", timeout=10)
    assert gone.status_code == 404 and "was deleted" in gone.text
    assert requests.get(f"{sandbox.url}/not-a-record-path", timeout=10).status_code == 404
