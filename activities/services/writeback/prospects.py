"""Find or create prospects, batched: one Composite call of `IN` queries per chunk, then Collections creates.

Match order (setup guide): Contact by Email, Contact by Name, Contact by the LinkedIn URL field, Lead by Email.
With no match the prospect is created as a Contact (with a matched or new Account) or a Lead, as this rep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.utils import timezone
from simple_salesforce.format import format_soql

from activities.models import MatchedBy, Prospect, SalesforceType
from activities.services.writeback.context import BatchContext
from activities.services.writeback.steps import Ref, Step
from mappings.payloads import CompanyData, FieldNote, ProspectData, creation_payload_build
from mappings.types import NewProspectAs

FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass
class Match:
    id: str
    type: str
    matched_by: str
    account_id: str = ""


def _safe_field(name: str, describe: dict | None) -> str:
    if not name or not FIELD_NAME.match(name):
        return ""
    names = {f["name"].lower(): f["name"] for f in (describe or {}).get("fields", [])}
    return names.get(name.lower(), "") if describe else name


def _query_url(ctx: BatchContext, soql: str) -> str:
    return f"/services/data/v{ctx.client.api_version}/query/?q={quote(soql)}"


def prospects_lookup(ctx: BatchContext, prospects: list[Prospect]) -> tuple[dict[int, Match], dict[str, str]]:
    """Matches by prospect id, and Account ids by lower-cased company name (for new Contacts)."""
    from activities import conf

    matches: dict[int, Match] = {}
    accounts: dict[str, str] = {}
    size = conf.get("LOOKUP_CHUNK")
    for start in range(0, len(prospects), size):
        chunk = prospects[start : start + size]
        m, a = _lookup_chunk(ctx, chunk)
        matches.update(m)
        accounts.update(a)
    return matches, accounts


def _lookup_chunk(ctx: BatchContext, prospects: list[Prospect]) -> tuple[dict[int, Match], dict[str, str]]:
    emails = sorted({p.email for p in prospects if p.email})
    names = sorted({p.full_name for p in prospects if p.first_name and p.last_name})
    urls = sorted({v for p in prospects if p.linkedin_url for v in _url_variants(p.linkedin_url)})
    companies = sorted({p.company_name for p in prospects if p.company_name})
    contact_li = _safe_field(ctx.settings.linkedin_url_field_contact, ctx.describe("Contact"))
    queries: list[tuple[str, str]] = []
    order = "ORDER BY LastModifiedDate DESC"
    if emails:
        queries.append(("c_email", format_soql("SELECT Id, Email, AccountId FROM Contact WHERE Email IN {} {:literal}",
                                               emails, order)))  # fmt: skip
        queries.append(("l_email", format_soql("SELECT Id, Email FROM Lead WHERE Email IN {} AND IsConverted = false "
                                               "{:literal}", emails, order)))  # fmt: skip
    if names:
        queries.append(("c_name", format_soql("SELECT Id, FirstName, LastName, AccountId FROM Contact WHERE Name IN {} "
                                              "{:literal}", names, order)))  # fmt: skip
    if urls and contact_li:
        # contact_li is a field name checked against describe, never user input.
        queries.append(("c_li", format_soql("SELECT Id, AccountId, {:literal} FROM Contact WHERE {:literal} IN {} "
                                            "{:literal}", contact_li, contact_li, urls, order)))  # fmt: skip
    if companies:
        queries.append(("a_name", format_soql("SELECT Id, Name FROM Account WHERE Name IN {} {:literal}", companies,
                                              order)))  # fmt: skip
    if not queries:
        return {}, {}
    rows = _run_queries(ctx, queries)
    by_email: dict[str, dict] = {}
    for r in rows.get("c_email", []):
        by_email.setdefault((r.get("Email") or "").lower(), r)
    leads: dict[str, dict] = {}
    for r in rows.get("l_email", []):
        leads.setdefault((r.get("Email") or "").lower(), r)
    by_name: dict[str, dict] = {}
    for r in rows.get("c_name", []):
        by_name.setdefault(f"{r.get('FirstName') or ''} {r.get('LastName') or ''}".strip().lower(), r)
    by_url: dict[str, dict] = {}
    for r in rows.get("c_li", []):
        by_url.setdefault(_norm_url(r.get(contact_li) or ""), r)
    accounts = {}
    for r in rows.get("a_name", []):
        accounts.setdefault((r.get("Name") or "").lower(), r["Id"])
    matches: dict[int, Match] = {}
    for p in prospects:
        contact = by_email.get(p.email.lower()) if p.email else None
        how = MatchedBy.CONTACT_EMAIL
        if contact is None and p.first_name and p.last_name:
            contact, how = by_name.get(p.full_name.lower()), MatchedBy.CONTACT_NAME
        if contact is None and p.linkedin_url:
            contact, how = by_url.get(_norm_url(p.linkedin_url)), MatchedBy.CONTACT_LINKEDIN
        if contact is not None:
            matches[p.pk] = Match(contact["Id"], SalesforceType.CONTACT, how, contact.get("AccountId") or "")
            continue
        lead = leads.get(p.email.lower()) if p.email else None
        if lead is not None:
            matches[p.pk] = Match(lead["Id"], SalesforceType.LEAD, MatchedBy.LEAD_EMAIL)
    return matches, accounts


def _norm_url(url: str) -> str:
    return url.strip().lower().rstrip("/").replace("http://", "https://").replace("://www.", "://")


def _url_variants(url: str) -> list[str]:
    """The spellings a profile URL is stored under (www or not, trailing slash or not): SOQL `IN` is exact."""
    bare = _norm_url(url).removeprefix("https://")
    return [f"https://{host}{bare}{slash}" for host in ("", "www.") for slash in ("", "/")]


def _run_queries(ctx: BatchContext, queries: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Up to five SOQL queries in one Composite call (one API call); a lone query goes alone."""
    out: dict[str, list[dict]] = {}
    for start in range(0, len(queries), 5):
        group = queries[start : start + 5]
        if len(group) == 1:
            ref, soql = group[0]
            out[ref] = list(ctx.client.query_all_iter(soql))
            continue
        subrequests = [{"method": "GET", "url": _query_url(ctx, soql), "referenceId": ref} for ref, soql in group]
        for response in ctx.client.composite(subrequests):
            ref = response.get("referenceId")
            body = response.get("body")
            if response.get("httpStatusCode", 500) >= 400:
                _raise_sub_error(response)
            records = list(body.get("records", []))
            while not body.get("done", True) and body.get("nextRecordsUrl"):
                body = ctx.client.query_more(body["nextRecordsUrl"])
                records.extend(body.get("records", []))
            out[ref] = records
    return out


def _raise_sub_error(response: dict) -> None:
    from integrations.errors import FailWithReason, RetryLater
    from integrations.providers.salesforce.errors import TRANSIENT_CODES

    body = response.get("body")
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    code, message = first.get("errorCode", ""), first.get("message", "")
    status = response.get("httpStatusCode")
    if code in TRANSIENT_CODES or (status or 0) >= 500:
        raise RetryLater(message or f"A lookup query failed with HTTP {status}.", code=code or f"HTTP_{status}")
    raise FailWithReason(message or "A lookup query failed.", code=code or f"HTTP_{status}", status=status)


def match_apply(prospect: Prospect, match: Match) -> None:
    prospect.salesforce_id = match.id
    prospect.salesforce_type = match.type
    prospect.salesforce_account_id = match.account_id
    prospect.matched_by = match.matched_by
    prospect.synced_at = timezone.now()
    Prospect.objects.filter(pk=prospect.pk).update(
        salesforce_id=match.id, salesforce_type=match.type, salesforce_account_id=match.account_id,
        matched_by=match.matched_by, synced_at=prospect.synced_at,
    )  # fmt: skip


def prospect_data(prospect: Prospect) -> ProspectData:
    company = CompanyData(
        name=prospect.company_name,
        website=f"https://{prospect.company_domain}" if prospect.company_domain else "",
        industry=prospect.company_industry,
        employee_count=_int(prospect.company_size),
        linkedin_url=prospect.company_linkedin_url,
    )
    return ProspectData(email=prospect.email, first_name=prospect.first_name, last_name=prospect.last_name,
                        title=prospect.title, phone=prospect.phone, linkedin_url=prospect.linkedin_url,
                        company=company)  # fmt: skip


def _int(value: str) -> int | None:
    digits = re.match(r"\d+", value.replace(",", "")) if value else None
    return int(digits.group()) if digits else None


@dataclass
class PlannedCreate:
    prospect: Prospect
    sobject: str
    ref: Ref
    account: Ref | str = ""


def creation_steps(
    ctx: BatchContext, prospects: list[Prospect], accounts: dict[str, str]
) -> tuple[list[Step], dict[int, PlannedCreate]]:
    """Steps creating the unmatched prospects (Accounts first for Contacts), and where each lands."""
    as_lead = ctx.settings.new_prospect_as == NewProspectAs.LEAD
    account_step, contact_step, lead_step = Step("accounts", "create", sobject="Account"), \
        Step("contacts", "create", sobject="Contact"), Step("leads", "create", sobject="Lead")  # fmt: skip
    planned: dict[int, PlannedCreate] = {}
    new_accounts: dict[str, Ref] = {}
    for p in prospects:
        data = prospect_data(p)
        notes: list[str] = []  # payload warnings, for the prospect job's attempt row
        if as_lead:
            record = creation_payload_build(workspace=ctx.workspace, sobject="Lead", prospect=data,
                                            describe=ctx.describe("Lead"), warnings=notes)  # fmt: skip
            record.setdefault("Company", p.company_name or p.company_domain or "Unknown")
            _names(record, p)
            planned[p.pk] = PlannedCreate(p, SalesforceType.LEAD, lead_step.add(record, notes=notes))
            continue
        record = creation_payload_build(workspace=ctx.workspace, sobject="Contact", prospect=data,
                                        describe=ctx.describe("Contact"), warnings=notes)  # fmt: skip
        _names(record, p)
        account: Ref | str = ""
        key = p.company_name.lower()
        if key:
            account = accounts.get(key) or new_accounts.get(key) or ""
            if not account:
                account_notes: list[str] = []
                fields = creation_payload_build(workspace=ctx.workspace, sobject="Account", prospect=data,
                                                describe=ctx.describe("Account"), warnings=account_notes)  # fmt: skip
                fields.setdefault("Name", p.company_name)
                account = new_accounts[key] = account_step.add(fields, notes=account_notes)
                notes += [_on_account(note) for note in account_notes]
            record["AccountId"] = account
        planned[p.pk] = PlannedCreate(p, SalesforceType.CONTACT, contact_step.add(record, notes=notes), account)
    return [account_step, contact_step, lead_step], planned


def _on_account(note: str) -> str:
    """A note of the new Account, for its Contact's job (whose attempt row is the only one the Account has)."""
    if not isinstance(note, FieldNote):
        return f"Account: {note}"
    return FieldNote(f"Account: {note}", field=note.field, reason=note.reason, detail=note.detail, sobject="Account")


def _names(record: dict, p: Prospect) -> None:
    """Names the org requires, cut to the standard field lengths (FirstName 40, LastName 80)."""
    if p.first_name:
        record.setdefault("FirstName", p.first_name[:40])
    record.setdefault("LastName", (p.last_name or (p.email.split("@")[0] if p.email else "Unknown"))[:80])
