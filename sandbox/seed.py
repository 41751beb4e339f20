"""Realistic-looking demo data, generated deterministically with ``random.Random(seed)`` (no Faker at runtime).

``seed_org`` fills an org through any ``load(sobject, fields, rows) -> ids`` callable, so the same generator
serves the in-process demo (``ensure_demo_org``) and ``manage.py sandbox_seed`` against a running sandbox.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from sandbox import loader, orgs
from sandbox.clock import sf_datetime
from sandbox.schema.picklists import INDUSTRY
from sandbox.state import Org, State

Loader = Callable[[str, list[str], list[list[Any]]], list[str]]

DEMO_ORG = "demo"
DEMO_CONSUMER_KEY = "3MVG9SandboxDemoConsumerKey.Switchboard.Demo.Org.0000000000000000000"
DEMO_CONSUMER_SECRET = "SandboxDemoConsumerSecret0000000000000000000000000000000000000000"
DEMO_USERS = (
    {"username": "admin@demo.sandbox", "password": "demo-admin-1", "first_name": "Avery", "last_name": "Admin",
     "profile": "System Administrator", "role": "admin"},
    {"username": "rep1@demo.sandbox", "password": "demo-rep-1", "first_name": "Riley", "last_name": "Jensen",
     "profile": "Standard User", "role": "rep"},
    {"username": "rep2@demo.sandbox", "password": "demo-rep-2", "first_name": "Morgan", "last_name": "Okafor",
     "profile": "Standard User", "role": "rep"},
    {"username": "noapi@demo.sandbox", "password": "demo-noapi-1", "first_name": "Nico", "last_name": "Blocked",
     "profile": "No API Access", "role": "noapi"},
    {"username": "integration@demo.sandbox", "password": "demo-integration-1", "first_name": "Integration",
     "last_name": "User", "profile": "System Administrator", "role": "integration"},
)  # fmt: skip

# The fields our product recommends customers add (prefix sb_); a demo org may have or lack them.
RECOMMENDED_FIELDS: dict[str, list[dict[str, Any]]] = {
    "Lead": [
        {"name": "sb_activeinsequence__c", "type": "boolean", "label": "Active in Sequence"},
        {"name": "sb_currentsequencestatus__c", "type": "string", "length": 255, "label": "Current Sequence Status"},
        {"name": "sb_currentsequencename__c", "type": "string", "length": 255, "label": "Current Sequence Name"},
        {"name": "sb_currentsequencestep__c", "type": "string", "length": 255, "label": "Current Sequence Step"},
        {"name": "sb_sequencedby__c", "type": "reference", "reference_to": ["User"], "label": "Sequenced By"},
        # The setup checklist recommends it when an org has no "do not text" checkbox; the demo org has it.
        {"name": "sb_sms_opt_out__c", "type": "boolean", "label": "SMS Opt Out"},
    ],
    "Task": [
        {"name": "sb_sequencename__c", "type": "string", "length": 255, "label": "Sequence Name"},
        {"name": "sb_sequencestepname__c", "type": "string", "length": 64, "label": "Sequence Step Name"},
        {"name": "sb_recordingurl__c", "type": "url", "length": 255, "label": "Recording URL"},
        {"name": "sb_callresult__c", "type": "string", "length": 255, "label": "Call Result"},
        {"name": "sb_numberdialed__c", "type": "phone", "length": 40, "label": "Number Dialed"},
    ],
}
RECOMMENDED_FIELDS["Contact"] = [dict(f) for f in RECOMMENDED_FIELDS["Lead"]]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald Ashley Steven "
    "Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa Priya Wei Mateo "
    "Sofia Aarav Chloe Omar Fatima Lukas Ingrid Kenji Yuki Diego Lucia Noah Amara Tariq Elena Hugo Zara"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Patel Kim Chen Okafor Schmidt Rossi Novak Silva Kowalski Haddad Tanaka"
)
COMPANY_HEAD = _words(
    "Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Soylent Cyberdyne Tyrell Wonka Aperture Massive "
    "Dynamic Oscorp Nakatomi Gringotts Monarch Blue Sky Northwind Contoso Fabrikam Litware Proseware Tailspin "
    "Adventure Alpine Summit Harbor Granite Cobalt Silver Lantern Beacon Pioneer Vertex Quantum Apex Meridian"
)
COMPANY_TAIL = ("Inc", "LLC", "Corp", "Group", "Labs", "Systems", "Partners", "Holdings", "Technologies", "Co")
TITLES = (
    "CEO",
    "CTO",
    "VP Sales",
    "VP Marketing",
    "Director of Operations",
    "Head of RevOps",
    "Account Executive",
    "Sales Manager",
    "SDR",
    "Marketing Manager",
    "Procurement Lead",
    "IT Manager",
    "CFO",
    "Engineer",
    "Consultant",
)
CITIES = (("San Francisco", "CA"), ("New York", "NY"), ("Austin", "TX"), ("Chicago", "IL"), ("Seattle", "WA"),
          ("Boston", "MA"), ("Denver", "CO"), ("Atlanta", "GA"), ("Miami", "FL"), ("Portland", "OR"))  # fmt: skip
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")
SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")


def _phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def _stamp(rng: random.Random, now: dt.datetime, days: int = 180) -> str:
    return sf_datetime(now - dt.timedelta(seconds=rng.randint(0, days * 86400)))


def _company(rng: random.Random) -> tuple[str, str]:
    head = rng.choice(COMPANY_HEAD)
    name = f"{head} {rng.choice(COMPANY_HEAD)} {rng.choice(COMPANY_TAIL)}" if rng.random() < 0.3 else (
        f"{head} {rng.choice(COMPANY_TAIL)}")  # fmt: skip
    domain = "".join(c for c in name.lower().rsplit(" ", 1)[0] if c.isalnum()) + rng.choice((".com", ".io", ".co"))
    return name, domain


def seed_org(
    load: Loader,
    *,
    accounts: int = 100,
    contacts: int = 500,
    leads: int = 250,
    owner_ids: list[str] | None = None,
    seed: int = 42,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Generate and load Accounts, Contacts (linked to them) and Leads; returns counts."""
    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.UTC)
    owners = owner_ids or [None]
    account_rows, domains = [], []
    for _ in range(accounts):
        name, domain = _company(rng)
        city, state = rng.choice(CITIES)
        stamp = _stamp(rng, now)
        account_rows.append([name, rng.choice(INDUSTRY), f"https://www.{domain}", _phone(rng), city, state, "USA",
                             rng.choice((10, 50, 200, 1000, 5000)), rng.choice(SOURCES), rng.choice(owners),
                             stamp, stamp])  # fmt: skip
        domains.append(domain)
    account_fields = ["Name", "Industry", "Website", "Phone", "BillingCity", "BillingState", "BillingCountry",
                      "NumberOfEmployees", "AccountSource", "OwnerId", "CreatedDate", "SystemModstamp"]  # fmt: skip
    account_ids = load("Account", *_drop_none_owner(account_fields, account_rows, owners)) if accounts else []

    contact_rows = []
    for i in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        idx = rng.randrange(accounts) if accounts else None
        domain = domains[idx] if idx is not None else "example.com"
        stamp = _stamp(rng, now)
        contact_rows.append([first, last, f"{first.lower()}.{last.lower()}{i}@{domain}", rng.choice(TITLES),
                             _phone(rng), account_ids[idx] if idx is not None else None, rng.choice(SOURCES),
                             rng.choice(owners), stamp, stamp])  # fmt: skip
    contact_fields = ["FirstName", "LastName", "Email", "Title", "Phone", "AccountId", "LeadSource", "OwnerId",
                      "CreatedDate", "SystemModstamp"]  # fmt: skip
    if contacts:
        load("Contact", *_drop_none_owner(contact_fields, contact_rows, owners))

    lead_rows = []
    for i in range(leads):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company, domain = _company(rng)
        city, state = rng.choice(CITIES)
        stamp = _stamp(rng, now)
        lead_rows.append([first, last, company, f"{first.lower()}.{last.lower()}{i}@{domain}", rng.choice(TITLES),
                          _phone(rng), rng.choice(LEAD_STATUSES), rng.choice(SOURCES), rng.choice(INDUSTRY), city,
                          state, rng.choice(owners), stamp, stamp])  # fmt: skip
    lead_fields = ["FirstName", "LastName", "Company", "Email", "Title", "Phone", "Status", "LeadSource", "Industry",
                   "City", "State", "OwnerId", "CreatedDate", "SystemModstamp"]  # fmt: skip
    if leads:
        load("Lead", *_drop_none_owner(lead_fields, lead_rows, owners))
    return {"accounts": accounts, "contacts": contacts, "leads": leads}


def _drop_none_owner(fields: list[str], rows: list[list[Any]], owners: list) -> tuple[list[str], list[list[Any]]]:
    if owners != [None]:
        return fields, rows
    i = fields.index("OwnerId")
    return fields[:i] + fields[i + 1 :], [r[:i] + r[i + 1 :] for r in rows]


# Custom fields of the demo org's own (not ours), so the demo can choose synced, filterable fields in CRM settings.
DEMO_ORG_FIELDS: dict[str, list[dict[str, Any]]] = {
    "Account": [
        {"name": "Tier__c", "type": "picklist", "label": "Customer Tier",
         "values": ["Strategic", "Enterprise", "Mid-Market", "SMB"]},
        {"name": "ARR__c", "type": "currency", "label": "Annual Recurring Revenue"},
        {"name": "Renewal_Date__c", "type": "date", "label": "Renewal Date"},
    ],
    "Contact": [
        {"name": "Persona__c", "type": "picklist", "label": "Buyer Persona",
         "values": ["Economic buyer", "Champion", "Technical evaluator", "End user"]},
        {"name": "Engagement_Score__c", "type": "double", "label": "Engagement Score"},
    ],
    "Lead": [
        {"name": "Lead_Score__c", "type": "double", "label": "Lead Score"},
        {"name": "Intent_Topic__c", "type": "string", "length": 80, "label": "Intent Topic"},
    ],
}  # fmt: skip
INTENT_TOPICS = ("Sales engagement", "CRM hygiene", "Call recording", "Territory planning", "Forecasting")


def fill_demo_org_fields(org: Org, rng: random.Random, today: dt.date) -> None:
    """Plausible values for DEMO_ORG_FIELDS on the records already loaded (most set, some left empty)."""
    values: dict[str, Callable[[], Any]] = {
        "Tier__c": lambda: rng.choice(DEMO_ORG_FIELDS["Account"][0]["values"]),
        "ARR__c": lambda: float(rng.choice((12, 24, 48, 96, 180, 350, 720)) * 1000),
        "Renewal_Date__c": lambda: (today + dt.timedelta(days=rng.randrange(-30, 365))).isoformat(),
        "Persona__c": lambda: rng.choice(DEMO_ORG_FIELDS["Contact"][0]["values"]),
        "Engagement_Score__c": lambda: float(rng.randrange(0, 101)),
        "Lead_Score__c": lambda: float(rng.randrange(0, 101)),
        "Intent_Topic__c": lambda: rng.choice(INTENT_TOPICS),
    }
    for sobject, fields in DEMO_ORG_FIELDS.items():
        for record in org.records[sobject].values():
            for item in fields:
                record[item["name"]] = values[item["name"]]() if rng.random() < 0.85 else None


def add_recommended_fields(org: Org, now_s: float, fields_by_object: dict | None = None) -> None:
    from sandbox.control.schema import custom_field

    for sobject, fields in (fields_by_object or RECOMMENDED_FIELDS).items():
        spec = org.schema[sobject].copy()
        for item in fields:
            if spec.get(item["name"]) is None:
                spec.add_field(custom_field(org, spec, item))
        org.schema[sobject] = spec
    org.schema_modified = now_s
    org.touch()


def ensure_demo_org(
    state: State,
    *,
    custom_fields: bool = True,
    accounts: int = 200,
    contacts: int = 1000,
    leads: int = 500,
    seed: int = 42,
) -> Org:
    """The ``demo`` org with known users, a fixed consumer key/secret and demo data (created once)."""
    existing = state.org(DEMO_ORG)
    if existing is not None:
        return existing
    org = orgs.create_org(state, name=DEMO_ORG, edition="Enterprise Edition", licenses=25, users=list(DEMO_USERS),
                          consumer_key=DEMO_CONSUMER_KEY, consumer_secret=DEMO_CONSUMER_SECRET)  # fmt: skip
    with org.lock:
        if custom_fields:
            add_recommended_fields(org, state.clock.time())
        admin = next(u for u in org.users.values() if u.role == "admin")
        reps = [u.id for u in org.users.values() if u.role in ("admin", "rep")]
        now = sf_datetime(state.clock.now())

        def load(sobject: str, fields: list[str], rows: list[list[Any]]) -> list[str]:
            return loader.load(org, sobject, fields=fields, rows=rows, created_by=admin, now=now)

        seed_org(load, accounts=accounts, contacts=contacts, leads=leads, owner_ids=reps, seed=seed,
                 now=state.clock.now())  # fmt: skip
        add_recommended_fields(org, state.clock.time(), DEMO_ORG_FIELDS)
        fill_demo_org_fields(org, random.Random(seed), state.clock.now().date())
    return org


__all__ = ["DEMO_CONSUMER_KEY", "DEMO_CONSUMER_SECRET", "RECOMMENDED_FIELDS", "ensure_demo_org", "seed_org"]
