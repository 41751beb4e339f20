"""Test data for the SOQL engine: a small org schema, a fixed clock and four contacts."""

from __future__ import annotations

import datetime as dt

from sandbox.soql.testing import StaticSchema

# Wednesday, so week literals have days on both sides.
NOW = dt.datetime(2024, 5, 15, 10, 30, tzinfo=dt.UTC)

ACCOUNT_ID = "001D000000K0fXOIAZ"
CONTACT_IDS = ["003000000000001AAA", "003000000000002AAA", "003000000000003AAA", "003000000000004AAA"]

SCHEMA = StaticSchema(
    {
        "Account": {
            "Id": "id",
            "Name": "string",
            "Type": "picklist",
            "AnnualRevenue": "currency",
            "NumberOfEmployees": "int",
            "OwnerId": "reference",
            "Description": "textarea",
        },
        "Contact": {
            "Id": "id",
            "FirstName": "string",
            "LastName": "string",
            "Email": "email",
            "AccountId": "reference",
            "OwnerId": "reference",
            "Birthdate": "date",
            "CreatedDate": "datetime",
            "HasOptedOutOfEmail": "boolean",
            "Score__c": "double",
            "Interests__c": "multipicklist",
            "Bio__c": "textarea",
            "Wake__c": "time",
        },
        "Lead": {
            "Id": "id",
            "Email": "email",
            "Company": "string",
            "Status": "picklist",
            "IsConverted": "boolean",
            "CreatedDate": "datetime",
        },
        "User": {"Id": "id", "Email": "email", "Name": "string", "IsActive": "boolean"},
        "Task": {"Id": "id", "Subject": "string", "WhoId": "reference"},
    },
    {
        ("Contact", "Account"): ("Account", "AccountId"),
        ("Contact", "Owner"): ("User", "OwnerId"),
        ("Account", "Owner"): ("User", "OwnerId"),
        ("Task", "Who"): ("Contact", "WhoId"),
    },
    unfilterable=frozenset({("Contact", "Bio__c")}),
)


ACME = {"Id": ACCOUNT_ID, "Name": "Acme", "Type": "Customer", "AnnualRevenue": 5000.0, "NumberOfEmployees": 50}
GLOBEX = {"Id": "001000000000002AAA", "Name": "globex", "Type": "Prospect", "AnnualRevenue": None}

# (row, parents) pairs; "key" is a test-only handle so assertions read as names, not ids.
CONTACTS: list[tuple[dict, dict]] = [
    (
        {
            "key": "ann",
            "Id": CONTACT_IDS[0],
            "FirstName": "Ann",
            "LastName": "O'Neil",
            "Email": "Ann@Example.com",
            "AccountId": ACCOUNT_ID,
            "Birthdate": "1990-01-31",
            "CreatedDate": "2024-05-15T09:00:00.000+0000",
            "HasOptedOutOfEmail": False,
            "Score__c": 10.5,
            "Interests__c": "Golf;Chess",
        },
        {"Account": ACME, "Owner": None},
    ),
    (
        {
            "key": "bob",
            "Id": CONTACT_IDS[1],
            "FirstName": "bob",
            "LastName": "Smith",
            "Email": "bob_smith@example.org",
            "AccountId": GLOBEX["Id"],
            "Birthdate": "1985-07-04",
            "CreatedDate": "2024-05-08T23:59:59.000+0000",
            "HasOptedOutOfEmail": True,
            "Score__c": 3,
            "Interests__c": "Chess",
        },
        {"Account": GLOBEX, "Owner": None},
    ),
    (
        {
            "key": "cat",
            "Id": CONTACT_IDS[2],
            "FirstName": None,
            "LastName": "Zed",
            "Email": None,
            "AccountId": None,
            "CreatedDate": "2024-04-30T12:00:00.000+0000",
            "HasOptedOutOfEmail": False,
        },
        {"Account": None, "Owner": None},
    ),
    (
        {
            "key": "dan",
            "Id": CONTACT_IDS[3],
            "FirstName": "Dan",
            "LastName": "smith",
            "Email": "dan%100@example.com",
            "AccountId": ACCOUNT_ID,
            "Birthdate": "2000-02-29",
            "CreatedDate": "2023-12-31T23:00:00.000-0100",  # not the stored form: exercises the slow path
            "HasOptedOutOfEmail": False,
            "Score__c": -2,
        },
        {"Account": ACME, "Owner": None},
    ),
]
