"""Fields Salesforce computes itself: Name, Task IsClosed/AccountId, Opportunity stage facts, CaseNumber..."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sandbox.clock import parse_date, parse_datetime, sf_datetime
from sandbox.errors import DmlError
from sandbox.schema.picklists import (
    CASE_CLOSED_STATUSES,
    FORECAST_CATEGORY,
    FORECAST_CATEGORY_NAMES,
    OPPORTUNITY_STAGES,
    TASK_CLOSED_STATUSES,
)
from sandbox.state import Org

STAGES = {s[0]: s for s in OPPORTUNITY_STAGES}
# ForecastCategoryName (the category's name) -> ForecastCategory (its fixed API value).
FORECAST_CATEGORY_OF = dict(
    zip(FORECAST_CATEGORY_NAMES, (v if isinstance(v, str) else v[0] for v in FORECAST_CATEGORY), strict=True)
)


def derive(org: Org, sobject: str, row: dict[str, Any], now: str, changed: frozenset[str] = frozenset()) -> None:
    """Fields Salesforce computes: Name, IsClosed, Task.AccountId, Opportunity stage facts, CaseNumber...

    ``changed``: the fields this write set (an Event keeps the one of end and duration that was written).
    """
    if sobject in ("Contact", "Lead", "User"):
        row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p) or None
    if sobject == "Task":
        closed = row.get("Status") in TASK_CLOSED_STATUSES
        if closed and not row.get("IsClosed"):
            row["CompletedDateTime"] = now
        elif not closed:
            row["CompletedDateTime"] = None
        row["IsClosed"] = closed
        row["IsHighPriority"] = row.get("Priority") == "High"
        row["AccountId"] = _task_account(org, row)
    elif sobject == "Opportunity":
        stage = STAGES.get(row.get("StageName") or "")
        if stage is not None:
            row["IsClosed"], row["IsWon"] = stage[2], stage[3]
            if row.get("Probability") is None:
                row["Probability"] = float(stage[1])
            # The stage implies the forecast category name unless this write set one; the category follows it.
            if row.get("ForecastCategoryName") is None or (
                "StageName" in changed and "ForecastCategoryName" not in changed
            ):
                row["ForecastCategoryName"] = "Closed" if stage[3] else ("Omitted" if stage[2] else "Pipeline")
            if "StageName" in changed:
                row["LastStageChangeDate"] = now
        row["ForecastCategory"] = FORECAST_CATEGORY_OF.get(row.get("ForecastCategoryName") or "")
        amount, prob = row.get("Amount"), row.get("Probability")
        row["ExpectedRevenue"] = None if amount is None or prob is None else round(amount * prob / 100, 2)
        close = row.get("CloseDate")
        if close:
            year, month = int(close[:4]), int(close[5:7])
            row["FiscalYear"], row["FiscalQuarter"] = year, (month - 1) // 3 + 1
            row["Fiscal"] = f"{year} {(month - 1) // 3 + 1}"
    elif sobject == "Case":
        _case_contact(org, row, changed)
        if not row.get("CaseNumber"):
            org.case_number += 1
            row["CaseNumber"] = f"{org.case_number:08d}"
        closed = row.get("Status") in CASE_CLOSED_STATUSES
        if closed and not row.get("IsClosed"):
            row["ClosedDate"] = now
        elif not closed:
            row["ClosedDate"] = None
        row["IsClosed"] = closed
    elif sobject == "Event":
        _event_times(row, changed)
        row["AccountId"] = _task_account(org, row)
    elif sobject == "User" and not row.get("UserType"):
        row["UserType"] = "Standard"


def _task_account(org: Org, row: dict[str, Any]) -> str | None:
    what = row.get("WhatId")
    if what:
        if what.startswith("001"):
            return what
        found = org.find_record(what)
        if found is not None and found[1].get("AccountId"):
            return found[1]["AccountId"]
    who = row.get("WhoId")
    if who and who.startswith("003"):
        contact = org.records["Contact"].get(who)
        if contact is not None:
            return contact.get("AccountId")
    return None


def _missing(name: str) -> DmlError:
    return DmlError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]", [name])


def _event_times(row: dict[str, Any], changed: frozenset[str]) -> None:
    """Event timing as Salesforce keeps it: start, end and duration agree; ActivityDate/EndDate are their dates.

    A timed event needs a start (StartDateTime or ActivityDateTime) and an end or a duration; an all-day event
    needs its ActivityDate and lasts 1,440 minutes a day.
    """
    start = parse_datetime(row.get("StartDateTime") or row.get("ActivityDateTime") or "")
    if row.get("IsAllDayEvent") and start is None and row.get("ActivityDate"):
        day = parse_date(row["ActivityDate"])
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None
    if start is None:
        raise DmlError(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [ActivityDateTime]", ["ActivityDateTime"]
        )
    end = parse_datetime(row.get("EndDateTime") or "")
    minutes = row.get("DurationInMinutes")
    if minutes is None and end is None and row.get("IsAllDayEvent"):
        minutes = 1440
    if minutes is None and end is None:
        raise DmlError(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [DurationInMinutes]", ["DurationInMinutes"]
        )
    end_written = "EndDateTime" in changed and "DurationInMinutes" not in changed
    if minutes is not None and (end is None or not end_written):
        end = start + dt.timedelta(minutes=int(minutes))
    if end < start:
        raise DmlError("FIELD_INTEGRITY_EXCEPTION", "End Date Time: End time must be after start time", ["EndDateTime"])
    row["StartDateTime"] = row["ActivityDateTime"] = sf_datetime(start)
    row["EndDateTime"] = sf_datetime(end)
    row["DurationInMinutes"] = int((end - start).total_seconds() // 60)
    row["ActivityDate"] = start.date().isoformat()
    row["EndDate"] = end.date().isoformat()


def _case_contact(org: Org, row: dict[str, Any], changed: frozenset[str]) -> None:
    """Contact* fields copy the case's contact; a new contact brings its account when AccountId was left empty."""
    contact = org.records["Contact"].get(row.get("ContactId") or "")
    if contact is None or contact.get("IsDeleted"):
        contact = {}
    row["ContactPhone"], row["ContactMobile"] = contact.get("Phone"), contact.get("MobilePhone")
    row["ContactEmail"], row["ContactFax"] = contact.get("Email"), contact.get("Fax")
    if "ContactId" in changed and not row.get("AccountId"):
        row["AccountId"] = contact.get("AccountId")
