"""Fields Salesforce computes itself: Name, Task IsClosed/AccountId, Opportunity stage facts, CaseNumber..."""

from __future__ import annotations

from typing import Any

from sandbox.schema.picklists import CASE_CLOSED_STATUSES, OPPORTUNITY_STAGES, TASK_CLOSED_STATUSES
from sandbox.state import Org

STAGES = {s[0]: s for s in OPPORTUNITY_STAGES}


def derive(org: Org, sobject: str, row: dict[str, Any], now: str) -> None:
    """Fields Salesforce computes: Name, IsClosed, Task.AccountId, Opportunity stage facts, CaseNumber..."""
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
            row["ForecastCategory"] = "Closed" if stage[3] else ("Omitted" if stage[2] else "Pipeline")
            if row.get("ForecastCategoryName") is None:
                row["ForecastCategoryName"] = row["ForecastCategory"]
        amount, prob = row.get("Amount"), row.get("Probability")
        row["ExpectedRevenue"] = None if amount is None or prob is None else round(amount * prob / 100, 2)
        close = row.get("CloseDate")
        if close:
            year, month = int(close[:4]), int(close[5:7])
            row["FiscalYear"], row["FiscalQuarter"] = year, (month - 1) // 3 + 1
            row["Fiscal"] = f"{year} {(month - 1) // 3 + 1}"
    elif sobject == "Case":
        if not row.get("CaseNumber"):
            org.case_number += 1
            row["CaseNumber"] = f"{org.case_number:08d}"
        closed = row.get("Status") in CASE_CLOSED_STATUSES
        if closed and not row.get("IsClosed"):
            row["ClosedDate"] = now
        elif not closed:
            row["ClosedDate"] = None
        row["IsClosed"] = closed
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
