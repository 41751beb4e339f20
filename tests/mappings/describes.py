"""Describe dicts for tests: the real Contact/Lead/Account shapes from ../shared, and a stock Task built here.

The shared fixtures are read at test time and never copied into the repository; without them the tests that
need them skip with a clear message.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path

import pytest

SHARED_DESCRIBES = Path(os.environ.get("SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")) / (
    "fixtures/salesforce/describe"
)

FIELD_DEFAULTS = {
    "aggregatable": True, "aiPredictionField": False, "autoNumber": False, "byteLength": 0, "calculated": False,
    "calculatedFormula": None, "cascadeDelete": False, "caseSensitive": False, "compoundFieldName": None,
    "controllerName": None, "createable": True, "custom": False, "defaultValue": None, "defaultValueFormula": None,
    "defaultedOnCreate": False, "dependentPicklist": False, "deprecatedAndHidden": False, "digits": 0,
    "displayLocationInDecimal": False, "encrypted": False, "externalId": False, "extraTypeInfo": None,
    "filterable": True, "filteredLookupInfo": None, "formulaTreatNullNumberAsZero": False, "groupable": True,
    "highScaleNumber": False, "htmlFormatted": False, "idLookup": False, "inlineHelpText": None, "length": 0,
    "mask": None, "maskType": None, "nameField": False, "namePointing": False, "nillable": True,
    "permissionable": True, "picklistValues": [], "polymorphicForeignKey": False, "precision": 0,
    "queryByDistance": False, "referenceTargetField": None, "referenceTo": [], "relationshipName": None,
    "relationshipOrder": None, "restrictedDelete": False, "restrictedPicklist": False, "scale": 0,
    "searchPrefilterable": False, "soapType": "xsd:string", "sortable": True, "unique": False, "updateable": True,
    "writeRequiresMasterRead": False,
}  # fmt: skip


def sf_field(name: str, ftype: str, *, values=(), default_value=None, **overrides) -> dict:
    """One describe field in the real shape; `values` become picklistValues (active unless given as (v, False))."""
    picklist = []
    for item in values:
        value, active = (item, True) if isinstance(item, str) else item
        picklist.append(
            {"active": active, "defaultValue": value == default_value, "label": value, "validFor": None, "value": value}
        )
    return {
        **FIELD_DEFAULTS,
        "name": name,
        "label": overrides.pop("label", name.replace("__c", "").replace("_", " ")),
        "type": ftype,
        "custom": name.endswith("__c"),
        "picklistValues": picklist,
        **overrides,
    }


def readonly(name: str, ftype: str, **kw) -> dict:
    return sf_field(name, ftype, createable=False, updateable=False, **kw)


def task_fields() -> list[dict]:
    return [
        readonly("Id", "id", length=18, nillable=False, defaultedOnCreate=True),
        sf_field("WhoId", "reference", length=18, referenceTo=["Contact", "Lead"]),
        sf_field("WhatId", "reference", length=18, referenceTo=["Account", "Opportunity"]),
        sf_field("Subject", "combobox", length=255, values=("Call", "Send Letter", "Send Quote", "Other")),
        sf_field("ActivityDate", "date"),
        sf_field(
            "Status",
            "picklist",
            length=40,
            nillable=False,
            defaultedOnCreate=True,
            default_value="Not Started",
            values=("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
        ),  # fmt: skip
        sf_field(
            "Priority",
            "picklist",
            length=40,
            nillable=False,
            defaultedOnCreate=True,
            default_value="Normal",
            values=("High", "Normal", "Low"),
        ),  # fmt: skip
        sf_field(
            "OwnerId", "reference", length=18, nillable=False, defaultedOnCreate=True, referenceTo=["Group", "User"]
        ),
        sf_field("Description", "textarea", length=32000),
        sf_field("Type", "picklist", length=40, values=("Call", "Email", "Meeting", "LinkedIn", "SMS", "Other")),
        readonly("IsClosed", "boolean", nillable=False, defaultedOnCreate=True),
        sf_field("CallDurationInSeconds", "int", digits=8),
        sf_field(
            "CallType", "picklist", length=40, restrictedPicklist=True, values=("Internal", "Inbound", "Outbound")
        ),
        sf_field("CallDisposition", "string", length=255),
        sf_field("CallObject", "string", length=255),
        sf_field("IsReminderSet", "boolean", nillable=False, defaultedOnCreate=True),
        sf_field(
            "TaskSubtype",
            "picklist",
            length=40,
            updateable=False,
            restrictedPicklist=True,
            values=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
        ),  # fmt: skip
        readonly("CompletedDateTime", "datetime"),
    ]


SB_TASK_FIELDS = (
    ("sb_recordingurl__c", "url", 255),
    ("sb_numberdialed__c", "phone", 40),
    ("sb_sequencename__c", "string", 80),
    ("sb_sequencestepname__c", "string", 80),
    ("sb_callresult__c", "string", 255),
)


def task_describe(*, sb_fields: bool = False, hidden: tuple[str, ...] = (), extra: tuple[dict, ...] = ()) -> dict:
    """A stock Task describe; `sb_fields` adds our recommended custom fields, `hidden` drops fields (FLS)."""
    fields = task_fields()
    if sb_fields:
        fields += [sf_field(name, ftype, length=length) for name, ftype, length in SB_TASK_FIELDS]
    fields = [f for f in fields if f["name"] not in hidden] + list(extra)
    return {"name": "Task", "label": "Task", "fields": fields}


@cache
def _load(name: str) -> dict:
    path = SHARED_DESCRIBES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"Shared describe fixture {path} is missing (../shared not mounted).")
    return json.loads(path.read_text())


def shared_describe(name: str, *, extra: tuple[dict, ...] = (), hidden: tuple[str, ...] = ()) -> dict:
    """A real describe of Contact, Lead or Account (a copy: tests may change it)."""
    describe = copy.deepcopy(_load(name))
    describe["fields"] = [f for f in describe["fields"] if f["name"] not in hidden] + list(extra)
    return describe


def sb_prospect_fields() -> tuple[dict, ...]:
    return (
        sf_field("sb_activeinsequence__c", "boolean", nillable=False, defaultedOnCreate=True, defaultValue=False),
        sf_field("sb_currentsequencestatus__c", "string", length=40),
        sf_field("sb_currentsequencename__c", "string", length=80),
        sf_field("sb_currentsequencestep__c", "string", length=80),
        sf_field("sb_sequencedby__c", "reference", length=18, referenceTo=["User"]),
        sf_field("sb_smsoptout__c", "boolean", nillable=False, defaultedOnCreate=True, defaultValue=False),
        sf_field("LinkedIn_URL__c", "url", length=255),
    )
