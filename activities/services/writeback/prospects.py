"""Find or create prospects, batched: one Composite call of `IN` queries per chunk, then Collections creates.

Match order (issue 12), each rule switchable in Advanced settings:
Contact by Email, Contact by Name + Company, Contact by the LinkedIn URL field, Lead by Email, Lead by Name + Company.
A name alone never matches: two people called Mateo Haddad at two companies are two people, so a Contact found by
name must also be at the prospect's company (its Account's Name is the company name, or its Account's Website is on
the prospect's email or company domain), and a Lead's Company must be the prospect's company.
A rule that finds several records never guesses: the next rule is tried. When none finds exactly one, the records
found are the prospect's candidates: it is created anyway, or held for an admin to choose (the `ambiguous_match`
setting). With no candidate at all the prospect is created as a Contact (with a matched or new Account) or a Lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.utils import timezone
from simple_salesforce.format import format_soql

from activities.models import MatchedBy, Prospect, SalesforceType
from activities.services import ledger
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


@dataclass
class Candidate:
    """One of several records a rule found: what the review list shows and "use this one" applies."""

    id: str
    type: str
    rule: str
    label: str = ""
    account: str = ""
    account_id: str = ""


@dataclass
class Lookup:
    matches: dict[int, Match] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    """Account ids by lower-cased company name (for new Contacts)."""
    ambiguous: dict[int, list[Candidate]] = field(default_factory=dict)
    """Prospects no rule placed for sure although records were found: those records."""


def _safe_field(name: str, describe: dict | None) -> str:
    if not name or not FIELD_NAME.match(name):
        return ""
    names = {f["name"].lower(): f["name"] for f in (describe or {}).get("fields", [])}
    return names.get(name.lower(), "") if describe else name


def _query_url(ctx: BatchContext, soql: str) -> str:
    return f"/services/data/v{ctx.client.api_version}/query/?q={quote(soql)}"


def prospects_lookup(ctx: BatchContext, prospects: list[Prospect]) -> Lookup:
    from activities import conf

    out = Lookup()
    size = conf.get("LOOKUP_CHUNK")
    for start in range(0, len(prospects), size):
        chunk = _lookup_chunk(ctx, prospects[start : start + size])
        out.matches.update(chunk.matches)
        out.accounts.update(chunk.accounts)
        out.ambiguous.update(chunk.ambiguous)
    return out


def _rule_on(ctx: BatchContext, name: str) -> bool:
    return getattr(ctx.settings, name, True)  # an unsaved settings row has every rule on


def _lookup_chunk(ctx: BatchContext, prospects: list[Prospect]) -> Lookup:
    on = {name: _rule_on(ctx, f"match_{name}") for name in
          ("contact_email", "contact_name_company", "contact_linkedin", "lead_email", "lead_name_company")}  # fmt: skip
    emails = sorted({p.email.lower() for p in prospects if p.email})
    names = sorted({p.full_name for p in prospects if p.first_name and p.last_name and _company_keys(p)})
    urls = sorted({v for p in prospects if p.linkedin_url for v in _url_variants(p.linkedin_url)})
    companies = sorted({p.company_name for p in prospects if p.company_name})
    contact_li = _safe_field(ctx.settings.linkedin_url_field_contact, ctx.describe("Contact"))
    order = "ORDER BY LastModifiedDate DESC"
    # One Contact query and one Lead query for every rule: a rule's rows are told apart below, so switching rules
    # on costs no extra API call. contact_li is a field name checked against describe, never user input.
    contact_where = []
    if on["contact_email"] and emails:
        contact_where.append(format_soql("Email IN {}", emails))
    if on["contact_name_company"] and names:
        contact_where.append(format_soql("Name IN {}", names))
    if on["contact_linkedin"] and urls and contact_li:
        contact_where.append(format_soql("{:literal} IN {}", contact_li, urls))
    lead_where = []
    if on["lead_email"] and emails:
        lead_where.append(format_soql("Email IN {}", emails))
    if on["lead_name_company"] and names:
        lead_where.append(format_soql("Name IN {}", names))
    queries: list[tuple[str, str]] = []
    if contact_where:
        # Every value went through format_soql above; what is joined here are those quoted conditions.
        select = "Id, FirstName, LastName, Email, AccountId, Account.Name, Account.Website" + (
            f", {contact_li}" if contact_li else "")  # fmt: skip
        queries.append(("contacts", format_soql("SELECT {:literal} FROM Contact WHERE {:literal} {:literal}",
                                                select, " OR ".join(contact_where), order)))  # fmt: skip
    if lead_where:
        queries.append(("leads", format_soql("SELECT Id, FirstName, LastName, Email, Company FROM Lead WHERE "
                                             "IsConverted = false AND ({:literal}) {:literal}",
                                             " OR ".join(lead_where), order)))  # fmt: skip
    if companies:
        queries.append(("a_name", format_soql("SELECT Id, Name FROM Account WHERE Name IN {} {:literal}", companies,
                                              order)))  # fmt: skip
    if not queries:
        return Lookup()
    rows = _run_queries(ctx, queries)
    contacts, leads = rows.get("contacts", []), rows.get("leads", [])
    out = Lookup()
    for r in rows.get("a_name", []):
        out.accounts.setdefault((r.get("Name") or "").lower(), r["Id"])

    for p in prospects:
        rules = _rules_found(p, on, contacts, leads, contact_li)
        seen: dict[str, Candidate] = {}
        for rule, found in rules:
            if len(found) == 1:
                c = found[0]
                out.matches[p.pk] = Match(c.id, c.type, rule, c.account_id)
                break
            for c in found:  # several: never guess, remember them and ask the next rule
                seen.setdefault(c.id, c)
        else:
            if seen:
                out.ambiguous[p.pk] = list(seen.values())
    return out


def _rules_found(p: Prospect, on: dict[str, bool], contacts: list[dict], leads: list[dict],
                 contact_li: str) -> list[tuple[str, list[Candidate]]]:  # fmt: skip
    """What each rule that is on finds for this prospect, in rule order."""
    email, name, url = p.email.lower(), p.full_name.lower(), _norm_url(p.linkedin_url)
    has_name = bool(p.first_name and p.last_name)
    tests = [
        (MatchedBy.CONTACT_EMAIL, contacts, on["contact_email"] and email,
         lambda r: _lower(r.get("Email")) == email),
        (MatchedBy.CONTACT_NAME_COMPANY, contacts, on["contact_name_company"] and has_name,
         lambda r: _row_name(r) == name and _same_company(p, r.get("Account"))),
        (MatchedBy.CONTACT_LINKEDIN, contacts, on["contact_linkedin"] and contact_li and p.linkedin_url,
         lambda r: _norm_url(r.get(contact_li) or "") == url),
        (MatchedBy.LEAD_EMAIL, leads, on["lead_email"] and email,
         lambda r: _lower(r.get("Email")) == email),
        (MatchedBy.LEAD_NAME_COMPANY, leads, on["lead_name_company"] and has_name and p.company_name,
         lambda r: _row_name(r) == name and _lower(r.get("Company")) == _lower(p.company_name)),
    ]  # fmt: skip
    found = []
    for rule, rows, active, test in tests:
        if active:
            make = _contact_candidate if rows is contacts else _lead_candidate
            found.append((rule, [make(r, rule) for r in rows if test(r)]))
    return found


def _lower(value) -> str:
    return (value or "").strip().lower()


def _row_name(row: dict) -> str:
    return f"{row.get('FirstName') or ''} {row.get('LastName') or ''}".strip().lower()


def domain_of(value: str) -> str:
    """The host of a website or email address, without www.: "https://www.Fjord.example/about" -> fjord.example."""
    value = (value or "").strip().lower()
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    return host.removeprefix("www.")


def _company_keys(p: Prospect) -> tuple[str, set[str]]:
    """The prospect's company name and domains (email and company), the keys a same-company check compares."""
    domains = {domain_of(p.email), domain_of(p.company_domain)} - {""}
    return (_lower(p.company_name), domains) if (p.company_name or domains) else ()


def _same_company(p: Prospect, account: dict | None) -> bool:
    """The Contact's Account is the prospect's company: same name, or its website on the prospect's domain."""
    keys = _company_keys(p)
    if not account or not keys:
        return False
    name, domains = keys
    if name and _lower(account.get("Name")) == name:
        return True
    site = domain_of(account.get("Website") or "")
    return bool(site) and site in domains


def _label(row: dict) -> str:
    name = f"{row.get('FirstName') or ''} {row.get('LastName') or ''}".strip()
    return f"{name} <{row['Email']}>" if row.get("Email") else name


def _contact_candidate(row: dict, rule: str) -> Candidate:
    account = row.get("Account") or {}
    return Candidate(row["Id"], SalesforceType.CONTACT, rule, _label(row), account.get("Name") or "",
                     row.get("AccountId") or "")  # fmt: skip


def _lead_candidate(row: dict, rule: str) -> Candidate:
    return Candidate(row["Id"], SalesforceType.LEAD, rule, _label(row), row.get("Company") or "")


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
    ledger.write_later(lambda: Prospect.objects.filter(pk=prospect.pk).update(
        salesforce_id=match.id, salesforce_type=match.type, salesforce_account_id=match.account_id,
        matched_by=match.matched_by, synced_at=prospect.synced_at,
    ))  # fmt: skip


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
