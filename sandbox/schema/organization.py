# ruff: noqa: E501  (data tables: one field per line reads better than wrapped tuples)
"""Organization: one read-mostly row per org (Id = the org id), the way products learn the org's name and edition.

Object flags follow the recorded describeGlobal entry (queryable and updateable, never created or deleted through
the API); the fields are the Field Reference's standard ones (address compound and parts, sharing defaults,
preferences, theme, page views ...) with the Object Reference's flags, in the same compact form as ``core.py``.
"""

from sandbox.schema.model import make_sobject
from sandbox.schema.picklists import GEOCODEACCURACY, LOCALES, TIME_ZONES

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

ACCESS = (("None", "Private"), ("Read", "Public Read Only"), ("Edit", "Public Read/Write"))
ACCESS_VIA_PARENTS = ACCESS + (
    ("ControlledByLeadOrContact", "Controlled by Lead or Contact"),
    ("ControlledByCampaign", "Controlled by Campaign"),
)
TRANSFER = ACCESS + (("ReadEditTransfer", "Public Read/Write/Transfer"),)
CALENDAR_ACCESS = (
    ("HideDetails", "Hide Details"),
    ("HideDetailsInsert", "Hide Details and Add Events"),
    ("ShowDetails", "Show Details"),
    ("ShowDetailsInsert", "Show Details and Add Events"),
    ("AllowEdits", "Full Access"),
)
NEW_ORG_VALUES = {
    # What a new org reads, after the recorded Developer Edition org (sharing defaults, theme, page views ...).
    "Country": "US",
    "SignupCountryIsoCode": "US",
    "DefaultLocaleSidKey": "en_US",
    "LanguageLocaleKey": "en_US",
    "TimeZoneSidKey": "America/Los_Angeles",
    "FiscalYearStartMonth": 1,
    "ReceivesInfoEmails": True,
    "ReceivesAdminInfoEmails": True,
    "DefaultAccountAccess": "Edit",
    "DefaultCalendarAccess": "HideDetailsInsert",
    "DefaultCampaignAccess": "All",
    "DefaultCaseAccess": "ReadEditTransfer",
    "DefaultContactAccess": "ControlledByParent",
    "DefaultLeadAccess": "ReadEditTransfer",
    "DefaultOpportunityAccess": "Edit",
    "DefaultPricebookAccess": "ReadSelect",
    "UiSkin": "Theme3",
    "MonthlyPageViewsEntitlement": 0,
    "MonthlyPageViewsUsed": 0,
    "NumKnowledgeService": 0,
    "PreferencesConsentManagementEnabled": True,
    "PreferencesLightningLoginEnabled": True,
    "WebToCaseDefaultOrigin": "Web",
}

ORGANIZATION = make_sobject(
    "Organization", "Organization", "Organizations", "00D",
    (
        ("Id", "id", "Organization ID", 0, "d"),
        ("Name", "string", "Name", 80, "u", {"idLookup": True}),
        ("Division", "string", "Division", 80, "un"),
        ("Street", "textarea", "Street", 255, "un", {"compound": "Address"}),
        ("City", "string", "City", 40, "un", {"compound": "Address"}),
        ("State", "string", "State/Province", 80, "un", {"compound": "Address"}),
        ("PostalCode", "string", "Zip/Postal Code", 20, "un", {"compound": "Address"}),
        ("Country", "string", "Country", 80, "n", {"compound": "Address"}),
        ("Latitude", "double", "Latitude", 0, "un", {"compound": "Address"}),
        ("Longitude", "double", "Longitude", 0, "un", {"compound": "Address"}),
        ("GeocodeAccuracy", "picklist", "Geocode Accuracy", 40, "unr", {"values": GEOCODEACCURACY, "compound": "Address"}),
        ("Address", "address", "Address", 0, "n"),
        ("Phone", "phone", "Phone", 40, "un"),
        ("Fax", "phone", "Fax", 40, "un"),
        ("PrimaryContact", "string", "Primary Contact", 80, "un"),
        ("DefaultLocaleSidKey", "picklist", "Locale", 40, "ur", {"values": LOCALES}),
        ("TimeZoneSidKey", "picklist", "Time Zone", 40, "ur", {"values": TIME_ZONES}),
        ("LanguageLocaleKey", "picklist", "Language", 40, "ur", {"values": (("en_US", "English"), ("fr", "French"), ("de", "German"))}),
        ("ReceivesInfoEmails", "boolean", "Info Emails", 0, "ud"),
        ("ReceivesAdminInfoEmails", "boolean", "Info Emails Admin", 0, "ud"),
        ("PreferencesRequireOpportunityProducts", "boolean", "RequireOpportunityProducts", 0, "u"),
        ("PreferencesTransactionSecurityPolicy", "boolean", "TransactionSecurityPolicy", 0, "u"),
        ("PreferencesTerminateOldestSession", "boolean", "TerminateOldestSession", 0, "u"),
        ("PreferencesConsentManagementEnabled", "boolean", "ConsentManagementEnabled", 0, "u"),
        ("PreferencesAutoSelectIndividualOnMerge", "boolean", "AutoSelectIndividualOnMerge", 0, "u"),
        ("PreferencesLightningLoginEnabled", "boolean", "LightningLoginEnabled", 0, "u"),
        ("PreferencesOnlyLLPermUserAllowed", "boolean", "OnlyLLPermUserAllowed", 0, "u"),
        ("PreferencesEmailSenderIdCompliance", "boolean", "EmailSenderIdCompliance", 0, "u"),
        ("FiscalYearStartMonth", "int", "Fiscal Year Starts In", 0, "n"),
        ("UsesStartDateAsFiscalYearName", "boolean", "Fiscal Year Name by Start", 0, "d"),
        ("DefaultAccountAccess", "picklist", "Default Account Access", 40, "nr", {"values": ACCESS_VIA_PARENTS}),
        ("DefaultContactAccess", "picklist", "Default Contact Access", 40, "nr", {"values": ACCESS + (("ControlledByParent", "Controlled by Parent"),)}),
        ("DefaultOpportunityAccess", "picklist", "Default Opportunity Access", 40, "nr", {"values": ACCESS_VIA_PARENTS}),
        ("DefaultLeadAccess", "picklist", "Default Lead Access", 40, "nr", {"values": TRANSFER}),
        ("DefaultCaseAccess", "picklist", "Default Case Access", 40, "nr", {"values": TRANSFER}),
        ("DefaultCalendarAccess", "picklist", "Default Calendar Access", 40, "ndr", {"values": CALENDAR_ACCESS, "default": "HideDetailsInsert"}),
        ("DefaultPricebookAccess", "picklist", "Default Price Book Access", 40, "nr", {"values": (("None", "No access"), ("Read", "Read only"), ("ReadSelect", "Use"))}),
        ("DefaultCampaignAccess", "picklist", "Default Campaign Access", 40, "nr", {"values": ACCESS + (("All", "Public Full Access"),)}),
        ("SystemModstamp", "datetime", "System Modstamp", 0, "d"),
        ("ComplianceBccEmail", "email", "Compliance BCC Email", 80, "n"),
        ("UiSkin", "picklist", "UI Skin", 40, "undr", {"values": ("Theme1", "Theme2", "Theme3"), "default": "Theme3"}),
        ("SignupCountryIsoCode", "string", "Signup Country", 2, "n"),
        ("TrialExpirationDate", "datetime", "Trial Expiration Date", 0, "n"),
        ("NumKnowledgeService", "int", "Knowledge Licenses", 0, "n"),
        ("OrganizationType", "picklist", "Edition", 40, "nr", {"values": EDITION_NAMES}),
        ("NamespacePrefix", "string", "Namespace Prefix", 15, "n", {"idLookup": True}),
        ("InstanceName", "string", "Instance Name", 40, "n"),
        ("IsSandbox", "boolean", "Is Sandbox", 0, "d"),
        ("WebToCaseDefaultOrigin", "string", "Web to Cases Default Origin", 40, "un"),
        ("MonthlyPageViewsUsed", "int", "Monthly Page Views Used", 0, "n"),
        ("MonthlyPageViewsEntitlement", "int", "Monthly Page Views Allowed", 0, "n"),
        ("IsReadOnly", "boolean", "Is Read Only", 0, ""),
        ("CreatedDate", "datetime", "Created Date", 0, "d"),
        ("CreatedById", "reference", "Created By ID", 0, "d", {"ref": ("User",), "rel": "CreatedBy"}),
        ("LastModifiedDate", "datetime", "Last Modified Date", 0, "d"),
        ("LastModifiedById", "reference", "Last Modified By ID", 0, "d", {"ref": ("User",), "rel": "LastModifiedBy"}),
        ("DelegatedAuthenticationServiceUrl", "url", "Single Sign-On Gateway URL", 255, "n"),
    ),
    flags={
        "createable": False, "deletable": False, "undeletable": False, "layoutable": False, "searchable": False,
        "triggerable": False, "mruEnabled": False, "feedEnabled": False,
    },
    url_keys=("describe", "rowTemplate", "sobject"),
)  # fmt: skip
