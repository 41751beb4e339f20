# ruff: noqa: E501  (data tables: one field per line reads better than wrapped tuples)
"""Organization: one read-mostly row per org (Id = the org id), the way products learn the org's name and edition.

Object flags follow the recorded describeGlobal entry (queryable and updateable, never created or deleted through
the API); the fields are the documented ones a client reads, in the same compact form as ``core.py``.
"""

from sandbox.schema.model import make_sobject
from sandbox.schema.picklists import LOCALES, TIME_ZONES

EDITION_NAMES = (
    "Developer Edition",
    "Enterprise Edition",
    "Unlimited Edition",
    "Performance Edition",
    "Professional Edition",
)
"""OrganizationType values: the editions ``sandbox.state.EDITIONS`` emulates (kept equal by a test)."""
INSTANCE_NAME = "SBX1"
"""InstanceName of every emulated org (real ones read like "NA135" or "CS420")."""

ORGANIZATION = make_sobject(
    "Organization", "Organization", "Organizations", "00D",
    (
        ("Id", "id", "Organization ID", 0, "d"),
        ("Name", "string", "Name", 80, "u"),
        ("Division", "string", "Division", 80, "un"),
        ("Street", "textarea", "Street", 255, "un"),
        ("City", "string", "City", 40, "un"),
        ("State", "string", "State/Province", 80, "un"),
        ("PostalCode", "string", "Zip/Postal Code", 20, "un"),
        ("Country", "string", "Country", 80, "un"),
        ("Phone", "phone", "Phone", 40, "un"),
        ("Fax", "phone", "Fax", 40, "un"),
        ("PrimaryContact", "string", "Primary Contact", 80, "un"),
        ("DefaultLocaleSidKey", "picklist", "Locale", 40, "ur", {"values": LOCALES}),
        ("TimeZoneSidKey", "picklist", "Default Time Zone", 40, "ur", {"values": TIME_ZONES}),
        ("LanguageLocaleKey", "picklist", "Language", 40, "ur", {"values": (("en_US", "English"), ("fr", "French"), ("de", "German"))}),
        ("ReceivesInfoEmails", "boolean", "Info Emails", 0, "u"),
        ("ReceivesAdminInfoEmails", "boolean", "Info Emails Admin", 0, "u"),
        ("FiscalYearStartMonth", "int", "Fiscal Year Starts In", 0, "n"),
        ("UsesStartDateAsFiscalYearName", "boolean", "Fiscal Year Name by Start", 0, ""),
        ("OrganizationType", "picklist", "Edition", 40, "nr", {"values": EDITION_NAMES}),
        ("NamespacePrefix", "string", "Namespace Prefix", 15, "n"),
        ("InstanceName", "string", "Instance Name", 5, "n"),
        ("IsSandbox", "boolean", "Is Sandbox", 0, ""),
        ("IsReadOnly", "boolean", "Is Read Only", 0, ""),
        ("TrialExpirationDate", "datetime", "Trial Expiration Date", 0, "n"),
        ("CreatedDate", "datetime", "Created Date", 0, "d"),
        ("CreatedById", "reference", "Created By ID", 0, "d", {"ref": ("User",), "rel": "CreatedBy"}),
        ("LastModifiedDate", "datetime", "Last Modified Date", 0, "d"),
        ("LastModifiedById", "reference", "Last Modified By ID", 0, "d", {"ref": ("User",), "rel": "LastModifiedBy"}),
        ("SystemModstamp", "datetime", "System Modstamp", 0, "d"),
    ),
    flags={
        "createable": False, "deletable": False, "undeletable": False, "layoutable": False, "searchable": False,
        "triggerable": False, "mruEnabled": False, "feedEnabled": False,
    },
    url_keys=("describe", "rowTemplate", "sobject"),
)  # fmt: skip
