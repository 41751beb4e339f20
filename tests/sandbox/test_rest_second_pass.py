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


def test_describe_answers_etag_and_last_modified_and_revalidates(api):
    first = api.get("sobjects/Contact/describe")
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')

    by_tag = api.get("sobjects/Contact/describe", headers={"If-None-Match": etag})
    by_date = api.get("sobjects/Contact/describe", headers={"If-Modified-Since": modified})
    stale_tag = api.get("sobjects/Contact/describe", headers={"If-None-Match": '"stale"'})

    assert by_tag.status_code == 304 and by_tag.content == b"" and by_tag.headers["ETag"] == etag
    assert by_date.status_code == 304 and by_date.content == b""
    assert stale_tag.status_code == 200 and stale_tag.json()["name"] == "Contact"
    assert api.get("sobjects/Lead/describe", headers={"If-None-Match": etag}).status_code == 200


def test_describe_etag_changes_when_a_field_is_added(sandbox, sandbox_org, api):
    etag = api.get("sobjects/Contact/describe").headers["ETag"]
    sandbox.control.add_field(sandbox_org.org_id, "Contact", "Nickname__c", "string")

    resp = api.get("sobjects/Contact/describe", headers={"If-None-Match": etag})

    assert resp.status_code == 200 and resp.headers["ETag"] != etag
    assert "Nickname__c" in {f["name"] for f in resp.json()["fields"]}


def test_describe_global_honours_if_modified_since_and_if_none_match(api):
    first = api.get("sobjects")
    assert first.status_code == 200 and first.json()["sobjects"]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    assert api.get("sobjects", headers={"If-Modified-Since": modified}).status_code == 304
    assert api.get("sobjects", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert api.get("sobjects", headers={"If-Modified-Since": older}).status_code == 200


def test_composite_describe_subrequests_carry_caching_headers_and_answer_304(api):
    url = "/services/data/v62.0/sobjects/Account/describe"
    first = api.post("composite", json={"compositeRequest": [{"method": "GET", "url": url, "referenceId": "d"}]})
    item = first.json()["compositeResponse"][0]
    assert item["httpStatusCode"] == 200 and item["body"]["name"] == "Account"
    headers = item["httpHeaders"]
    assert set(headers) >= {"ETag", "Last-Modified"}

    resp = api.post(
        "composite",
        json={
            "compositeRequest": [
                {"method": "GET", "url": url, "referenceId": "since",
                 "httpHeaders": {"If-Modified-Since": headers["Last-Modified"]}},
                {"method": "GET", "url": url, "referenceId": "tag", "httpHeaders": {"If-None-Match": headers["ETag"]}},
                {"method": "GET", "url": "/services/data/v62.0/sobjects", "referenceId": "global",
                 "httpHeaders": {"If-Modified-Since": headers["Last-Modified"]}},
            ]
        },
    )  # fmt: skip

    since, tag, described_global = resp.json()["compositeResponse"]
    for sub in (since, tag, described_global):
        assert sub["httpStatusCode"] == 304 and sub["body"] is None, sub
    assert tag["httpHeaders"]["ETag"] == headers["ETag"]


def test_listviews_lists_all_and_recently_viewed_in_the_documented_shape(api):
    resp = api.get("sobjects/Account/listviews")

    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"done", "listviews", "nextRecordsUrl", "size", "sobjectType"}
    assert body["done"] is True and body["nextRecordsUrl"] is None and body["sobjectType"] == "Account"
    assert body["size"] == len(body["listviews"]) == 2
    by_name = {v["developerName"]: v for v in body["listviews"]}
    assert set(by_name) == {"AllAccounts", "RecentlyViewedAccounts"}
    all_view = by_name["AllAccounts"]
    assert (
        all_view["label"] == "All Accounts" and by_name["RecentlyViewedAccounts"]["label"] == "Recently Viewed Accounts"
    )
    assert set(all_view) == {"describeUrl", "developerName", "id", "label", "resultsUrl", "soqlCompatible", "url"}
    assert all_view["id"].startswith("00B") and len(all_view["id"]) == 18
    assert all_view["url"] == f"/services/data/v62.0/sobjects/Account/listviews/{all_view['id']}"
    assert all_view["resultsUrl"] == all_view["url"] + "/results"
    assert all_view["describeUrl"] == all_view["url"] + "/describe"
    assert api.get("sobjects/Account/listviews").json() == body  # ids are stable
    assert api.get(all_view["url"]).json() == all_view
    contacts = api.get("sobjects/Contact/listviews").json()["listviews"]
    assert {v["label"] for v in contacts} == {"All Contacts", "Recently Viewed Contacts"}


def test_listview_results_and_describe_follow_the_view(api):
    api.create("Account", Name="Zeta Corp", Phone="555-0100", Type="Prospect")
    api.create("Account", Name="alpha Inc", BillingState="NC")
    views = {v["developerName"]: v for v in api.get("sobjects/Account/listviews").json()["listviews"]}
    all_view = views["AllAccounts"]

    results = api.get(all_view["resultsUrl"])
    described = api.get(all_view["describeUrl"])

    assert results.status_code == 200, results.text
    body = results.json()
    assert body["id"] == all_view["id"] and body["developerName"] == "AllAccounts" and body["label"] == "All Accounts"
    assert body["size"] == 2 and body["done"] is True
    rows = [{c["fieldNameOrPath"]: c["value"] for c in r["columns"]} for r in body["records"]]
    assert [r["Name"] for r in rows] == ["alpha Inc", "Zeta Corp"]
    assert rows[1]["Phone"] == "555-0100" and rows[1]["Type"] == "Prospect" and rows[0]["BillingState"] == "NC"
    name_column = body["columns"][0]
    assert name_column["fieldNameOrPath"] == "Name" and name_column["sortDirection"] == "ascending"
    assert next(c for c in body["columns"] if c["fieldNameOrPath"] == "Id")["hidden"] is True
    assert described.status_code == 200
    assert described.json()["columns"] == body["columns"] and described.json()["sobjectType"] == "Account"
    assert described.json()["query"].startswith("SELECT name, site, billingstate, phone, tolabel(type)")
    page = api.get(all_view["resultsUrl"], params={"limit": 1, "offset": 1}).json()
    assert page["size"] == 2 and page["done"] is True and len(page["records"]) == 1
    assert api.get(views["RecentlyViewedAccounts"]["resultsUrl"]).json()["records"] == []


def test_listviews_of_an_unknown_view_is_not_found(api):
    resp = api.get("sobjects/Account/listviews/00B000000000000AAA/results")
    assert resp.status_code == 404 and resp.json()[0]["errorCode"] == "NOT_FOUND"


def test_listviews_through_simple_salesforce_restful(sandbox_org):
    sf = sandbox_org.simple_salesforce(sandbox_org.admin_user)
    sf.Lead.create({"LastName": "Viewed", "Company": "Acme", "Status": "Working - Contacted"})

    views = sf.restful("sobjects/Lead/listviews")["listviews"]
    all_leads = next(v for v in views if v["developerName"] == "AllLeads")
    results = sf.restful(all_leads["resultsUrl"].split("/", 4)[-1])  # restful() takes the path after vXX.X/

    assert all_leads["label"] == "All Leads"
    cells = {c["fieldNameOrPath"]: c["value"] for c in results["records"][0]["columns"]}
    assert cells["Name"] == "Viewed" and cells["Company"] == "Acme" and cells["Status"] == "Working - Contacted"


def test_events_are_created_with_their_timing_derived_and_queried(api):
    contact = api.create("Contact", LastName="Invitee")
    event_id = api.create(
        "Event", Subject="Demo", StartDateTime="2024-05-01T10:00:00Z", DurationInMinutes=45, WhoId=contact
    )

    event = api.get(f"sobjects/Event/{event_id}").json()
    assert event_id.startswith("00U")
    assert event["EndDateTime"] == "2024-05-01T10:45:00.000+0000"
    assert event["ActivityDateTime"] == "2024-05-01T10:00:00.000+0000" and event["ActivityDate"] == "2024-05-01"
    assert event["ShowAs"] == "Busy" and event["IsAllDayEvent"] is False

    moved = api.patch(f"sobjects/Event/{event_id}", json={"EndDateTime": "2024-05-01T11:30:00Z"})
    assert moved.status_code == 204
    rows = api.query(f"SELECT Subject, DurationInMinutes, Who.Name FROM Event WHERE Id = '{event_id}'").json()
    assert [(r["Subject"], r["DurationInMinutes"], r["Who"]["Name"]) for r in rows["records"]] == [
        ("Demo", 90, "Invitee")
    ]

    missing = api.post("sobjects/Event", json={"Subject": "No end", "StartDateTime": "2024-05-01T10:00:00Z"})
    assert missing.status_code == 400 and missing.json()[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert missing.json()[0]["fields"] == ["DurationInMinutes"]


def test_record_types_are_queryable_and_drive_record_type_id_and_describe(api):
    describe = api.get("sobjects/Opportunity/describe").json()
    assert [info["name"] for info in describe["recordTypeInfos"]] == ["Master"]
    assert describe["recordTypeInfos"][0]["defaultRecordTypeMapping"] is True
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["RecordTypeId"]["referenceTo"] == ["RecordType"] and fields["RecordTypeId"]["updateable"]

    renewal = api.create(
        "RecordType", Name="Renewal", DeveloperName="Renewal", SobjectType="Opportunity", IsActive=True
    )
    support = api.create("RecordType", Name="Support", DeveloperName="Support", SobjectType="Case", IsActive=True)

    rows = api.query("SELECT Id, DeveloperName, SobjectType, IsActive FROM RecordType ORDER BY DeveloperName").json()
    assert [(r["Id"], r["DeveloperName"], r["SobjectType"]) for r in rows["records"]] == [
        (renewal, "Renewal", "Opportunity"),
        (support, "Support", "Case"),
    ]
    infos = api.get("sobjects/Opportunity/describe").json()["recordTypeInfos"]
    assert [(i["name"], i["recordTypeId"], i["defaultRecordTypeMapping"], i["master"]) for i in infos] == [
        ("Master", "012000000000000AAA", False, True),
        ("Renewal", renewal, True, False),
    ]

    opp = api.create("Opportunity", Name="Deal", StageName="Prospecting", CloseDate="2024-06-30")
    typed = api.query(f"SELECT RecordTypeId, RecordType.DeveloperName FROM Opportunity WHERE Id = '{opp}'").json()
    assert typed["records"][0]["RecordTypeId"] == renewal
    assert typed["records"][0]["RecordType"]["DeveloperName"] == "Renewal"
    wrong = api.post(
        "sobjects/Opportunity",
        json={"Name": "X", "StageName": "Prospecting", "CloseDate": "2024-06-30", "RecordTypeId": support},
    )
    assert wrong.status_code == 400 and wrong.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


OPPORTUNITY_FIELDS = {  # the Field Reference's standard Opportunity fields (not org-specific __c, multi-currency)
    "AccountId", "ActivityMetricId", "ActivityMetricRollupId", "AgeInDays", "Amount", "CampaignId", "CloseDate",
    "ContactId", "CreatedById", "CreatedDate", "Description", "ExpectedRevenue", "Fiscal", "FiscalQuarter",
    "FiscalYear", "ForecastCategory", "ForecastCategoryName", "HasOpenActivity", "HasOpportunityLineItem",
    "HasOverdueTask", "Id", "IsClosed", "IsDeleted", "IsExcludedFromTerritory2Filter", "IsPriorityRecord",
    "IsPrivate", "IsWon", "LastActivityDate", "LastActivityInDays", "LastAmountChangedHistoryId",
    "LastCloseDateChangedHistoryId", "LastModifiedById", "LastModifiedDate", "LastReferencedDate",
    "LastStageChangeDate", "LastStageChangeInDays", "LastViewedDate", "LeadSource", "Name", "NextStep", "OwnerId",
    "Pricebook2Id", "Probability", "PushCount", "StageName", "SyncedQuoteId", "SystemModstamp", "Territory2Id",
    "TotalOpportunityQuantity", "Type",
}  # fmt: skip
CASE_FIELDS = {
    "AccountId", "AssetId", "CaseNumber", "ClosedDate", "Comments", "ContactEmail", "ContactFax", "ContactId",
    "ContactMobile", "ContactPhone", "CreatedById", "CreatedDate", "Description", "Id", "IsClosed", "IsDeleted",
    "IsEscalated", "LastModifiedById", "LastModifiedDate", "LastReferencedDate", "LastViewedDate", "MasterRecordId",
    "Origin", "OwnerId", "ParentId", "Priority", "Reason", "SourceId", "Status", "Subject", "SuppliedCompany",
    "SuppliedEmail", "SuppliedName", "SuppliedPhone", "SystemModstamp", "Type",
}  # fmt: skip


def described_fields(api, sobject):
    return {f["name"]: f for f in api.get(f"sobjects/{sobject}/describe").json()["fields"]}


def test_opportunity_has_every_standard_field_with_the_documented_flags(api):
    fields = described_fields(api, "Opportunity")

    assert OPPORTUNITY_FIELDS | {"RecordTypeId"} == set(fields)
    category = fields["ForecastCategoryName"]
    assert (category["length"], category["restrictedPicklist"], category["defaultedOnCreate"]) == (255, True, True)
    assert fields["ForecastCategory"]["length"] == 40 and not fields["ForecastCategory"]["createable"]
    assert fields["ContactId"]["createable"] and not fields["ContactId"]["updateable"]
    assert fields["Name"]["idLookup"] and fields["Probability"]["defaultedOnCreate"]
    assert (fields["FiscalYear"]["digits"], fields["AgeInDays"]["type"]) == (8, "int")
    assert fields["LastAmountChangedHistoryId"]["referenceTo"] == ["OpportunityHistory"]

    contact = api.create("Contact", LastName="Buyer")
    opp = api.create(
        "Opportunity", Name="Deal", StageName="Prospecting", CloseDate="2024-06-30", ContactId=contact,
        ForecastCategoryName="Best Case",
    )  # fmt: skip
    row = api.get(f"sobjects/Opportunity/{opp}").json()
    assert (row["ContactId"], row["ForecastCategoryName"], row["ForecastCategory"]) == (
        contact,
        "Best Case",
        "BestCase",
    )
    assert row["LastStageChangeDate"] == row["CreatedDate"]
    moved = api.patch(f"sobjects/Opportunity/{opp}", json={"StageName": "Closed Won"})
    assert moved.status_code == 204
    won = api.get(f"sobjects/Opportunity/{opp}").json()
    assert (won["ForecastCategoryName"], won["ForecastCategory"], won["IsWon"]) == ("Closed", "Closed", True)
    refused = api.patch(f"sobjects/Opportunity/{opp}", json={"ContactId": contact})
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_case_has_every_standard_field_and_copies_its_contact(api):
    fields = described_fields(api, "Case")

    assert CASE_FIELDS | {"RecordTypeId"} == set(fields)
    assert {fields[n]["length"] for n in ("Type", "Status", "Reason", "Origin", "Priority")} == {255}
    assert (fields["Comments"]["type"], fields["Comments"]["length"]) == ("textarea", 4000)
    assert fields["CaseNumber"]["idLookup"] and not fields["ContactEmail"]["createable"]

    account = api.create("Account", Name="Acme")
    contact = api.create("Contact", LastName="Caller", Email="caller@example.test", Phone="555-0101", AccountId=account)
    case = api.create("Case", Subject="Broken", ContactId=contact)

    row = api.get(f"sobjects/Case/{case}").json()
    assert (row["ContactEmail"], row["ContactPhone"], row["AccountId"]) == ("caller@example.test", "555-0101", account)
    assert (row["Status"], row["Priority"], row["IsClosed"]) == ("New", "Medium", False)
    copied = api.post("sobjects/Case", json={"Subject": "X", "ContactEmail": "x@example.test"})
    assert copied.status_code == 400 and copied.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def _recorded_organization():
    import json
    import os
    from pathlib import Path

    import pytest

    shared = Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
    path = shared / "fixtures" / "salesforce" / "describe" / "Organization.json"
    if not path.exists():
        pytest.skip(f"../shared/fixtures not present: {path} (recordings are read at test time only)")
    return json.loads(path.read_text())


def test_organization_row_has_every_recorded_field_with_its_shape(sandbox_org, api):
    recorded = _recorded_organization()

    ours = api.get(f"sobjects/Organization/{sandbox_org.org_id}").json()

    assert set(recorded) - set(ours) == set()
    assert set(ours["Address"]) == set(recorded["Address"]) and ours["Address"]["country"] == "US"
    typed = 0
    for key, value in recorded.items():  # same JSON type wherever both have a value (a trial date may be unset)
        if value is not None and ours[key] is not None and key not in ("attributes", "Address"):
            assert type(ours[key]) is type(value), (key, ours[key], value)
            typed += 1
    assert typed >= 35
    for key in ("DefaultAccountAccess", "DefaultCalendarAccess", "DefaultCaseAccess", "DefaultContactAccess",
                "DefaultLeadAccess", "DefaultOpportunityAccess", "DefaultPricebookAccess", "UiSkin"):  # fmt: skip
        assert ours[key] == recorded[key], key
    fields = described_fields(api, "Organization")
    assert fields["DelegatedAuthenticationServiceUrl"]["type"] == "url"
    assert fields["MonthlyPageViewsUsed"]["type"] == "int" and fields["InstanceName"]["length"] == 40
    assert fields["Address"]["type"] == "address" and fields["City"]["compoundFieldName"] == "Address"
    assert not fields["Country"]["updateable"] and fields["City"]["updateable"]
    assert {v["value"] for v in fields["DefaultCaseAccess"]["picklistValues"]} == {
        "None", "Read", "Edit", "ReadEditTransfer"
    }  # fmt: skip
    rows = api.query("SELECT UiSkin, MonthlyPageViewsEntitlement, Address FROM Organization").json()["records"]
    assert rows[0]["UiSkin"] == "Theme3" and rows[0]["MonthlyPageViewsEntitlement"] == 0


def _csv_rows(text):
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_bulk2_insert_through_simple_salesforce_validates_like_rest(sandbox_org, api):
    sf = sandbox_org.simple_salesforce(sandbox_org.admin_user)

    [result] = sf.bulk2.Contact.insert(
        records=[
            {"LastName": "Loaded", "Email": "loaded@example.test", "LeadSource": "Web"},
            {"LastName": "", "Email": "nolast@example.test", "LeadSource": ""},
            {"LastName": "BadMail", "Email": "not-an-email", "LeadSource": ""},
        ],
        wait=0.01,
    )

    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (3, 2)
    [ok] = _csv_rows(sf.bulk2.Contact.get_successful_records(result["job_id"]))
    assert ok["sf__Created"] == "true" and ok["LastName"] == "Loaded" and ok["sf__Id"].startswith("003")
    failed = {
        row["Email"]: row["sf__Error"] for row in _csv_rows(sf.bulk2.Contact.get_failed_records(result["job_id"]))
    }
    assert failed["nolast@example.test"].startswith("REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]")
    assert failed["not-an-email"].startswith("INVALID_EMAIL_ADDRESS:")
    rows = api.query("SELECT Id, LastName, LeadSource FROM Contact").json()["records"]
    assert [(r["Id"], r["LastName"], r["LeadSource"]) for r in rows] == [(ok["sf__Id"], "Loaded", "Web")]


def test_bulk2_update_upsert_and_delete_through_simple_salesforce(sandbox_org, api):
    sf = sandbox_org.simple_salesforce(sandbox_org.admin_user)
    kept = api.create("Contact", LastName="Kept", Email="kept@example.test")
    gone = api.create("Contact", LastName="Gone")

    [updated] = sf.bulk2.Contact.update(
        records=[{"Id": kept, "Title": "CTO"}, {"Id": "003000000000000AAA", "Title": "Nobody"}], wait=0.01
    )
    [upserted] = sf.bulk2.Contact.upsert(
        records=[{"Email": "KEPT@example.test", "Department": "R&D"}, {"Email": "new@example.test", "LastName": "New"}],
        external_id_field="Email",
        wait=0.01,
    )
    [deleted] = sf.bulk2.Contact.delete(records=[{"Id": gone}], wait=0.01)

    assert (updated["numberRecordsProcessed"], updated["numberRecordsFailed"]) == (2, 1)
    [bad] = _csv_rows(sf.bulk2.Contact.get_failed_records(updated["job_id"]))
    assert bad["sf__Error"].startswith("INVALID_CROSS_REFERENCE_KEY:")
    created = {
        r["Email"]: r["sf__Created"] for r in _csv_rows(sf.bulk2.Contact.get_successful_records(upserted["job_id"]))
    }
    assert created == {"KEPT@example.test": "false", "new@example.test": "true"}
    assert deleted["numberRecordsFailed"] == 0
    row = api.get(f"sobjects/Contact/{kept}").json()
    assert (row["Title"], row["Department"]) == ("CTO", "R&D")
    live = api.query("SELECT LastName FROM Contact ORDER BY LastName").json()["records"]
    assert [r["LastName"] for r in live] == ["Kept", "New"]
    all_rows = api.get("queryAll", params={"q": f"SELECT IsDeleted FROM Contact WHERE Id = '{gone}'"}).json()
    assert all_rows["records"][0]["IsDeleted"] is True


def test_bulk2_ingest_job_lifecycle_over_http(api):
    created = api.post("jobs/ingest", json={"object": "Account", "operation": "insert", "lineEnding": "LF"})
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["state"] == "Open" and job["object"] == "Account" and job["id"].startswith("750")
    assert job["contentUrl"] == f"services/data/v62.0/jobs/ingest/{job['id']}/batches"

    early = api.get(f"jobs/ingest/{job['id']}/successfulResults")
    data = "Name,CleanStatus,NumberOfEmployees\nAcme,Matched,12\nBad,Bogus,\n"  # CleanStatus is restricted
    put = api.http.put(api.url(job["contentUrl"].split("v62.0/", 1)[1]), data=data,
                       headers={"Content-Type": "text/csv"}, timeout=30)  # fmt: skip
    closed = api.patch(f"jobs/ingest/{job['id']}", json={"state": "UploadComplete"})
    polls = [api.get(f"jobs/ingest/{job['id']}").json() for _ in range(2)]

    assert early.status_code == 400 and early.json()[0]["errorCode"] == "INVALIDJOBSTATE"
    assert put.status_code == 201 and put.content == b""
    assert closed.status_code == 200 and closed.json()["state"] == "UploadComplete"
    assert polls[0]["state"] == "InProgress" and polls[0]["numberRecordsProcessed"] == 0
    done = polls[1]
    assert (done["state"], done["jobType"], done["numberRecordsProcessed"], done["numberRecordsFailed"]) == (
        "JobComplete", "V2Ingest", 2, 1,
    )  # fmt: skip
    failed = api.get(f"jobs/ingest/{job['id']}/failedResults")
    assert failed.headers["Content-Type"].startswith("text/csv")
    [row] = _csv_rows(failed.text)
    assert row["Name"] == "Bad" and row["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    accounts = api.query("SELECT Name, NumberOfEmployees FROM Account").json()["records"]
    assert [(r["Name"], r["NumberOfEmployees"]) for r in accounts] == [("Acme", 12)]  # CSV text typed by the field
    listed = api.get("jobs/ingest").json()["records"]
    assert [j["id"] for j in listed] == [job["id"]]
    assert api.delete(f"jobs/ingest/{job['id']}").status_code == 204
    assert api.get(f"jobs/ingest/{job['id']}").status_code == 404


def test_bulk2_ingest_abort_unknown_fields_and_upsert_key(api):
    def job_with(data, **spec):
        job = api.post("jobs/ingest", json={"object": "Lead", "operation": "insert", **spec}).json()
        api.http.put(api.url(f"jobs/ingest/{job['id']}/batches"), data=data, headers={"Content-Type": "text/csv"},
                     timeout=30)  # fmt: skip
        return job["id"]

    aborted = job_with("LastName,Company\nA,B\n")
    assert api.patch(f"jobs/ingest/{aborted}", json={"state": "Aborted"}).json()["state"] == "Aborted"
    assert _csv_rows(api.get(f"jobs/ingest/{aborted}/unprocessedrecords").text) == [{"LastName": "A", "Company": "B"}]
    assert api.query("SELECT COUNT() FROM Lead").json()["totalSize"] == 0

    unknown = job_with("LastName,Nope__c\nA,B\n")
    api.patch(f"jobs/ingest/{unknown}", json={"state": "UploadComplete"})
    api.get(f"jobs/ingest/{unknown}")
    failed = api.get(f"jobs/ingest/{unknown}").json()
    assert failed["state"] == "Failed" and "Nope__c" in failed["errorMessage"]

    refused = api.post("jobs/ingest", json={"object": "Lead", "operation": "upsert", "externalIdFieldName": "Company"})
    assert refused.status_code == 400 and refused.json()[0]["errorCode"] == "INVALIDJOB"
    unknown_object = api.post("jobs/ingest", json={"object": "Nope", "operation": "insert"})
    assert unknown_object.status_code == 400 and unknown_object.json()[0]["errorCode"] == "INVALIDENTITY"
