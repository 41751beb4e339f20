# ruff: noqa: E501  (data tables: one field per line reads better than wrapped tuples)
"""Task, Opportunity, Case and User: documented standard fields in the same compact form as ``core.py``.

Written from Salesforce's object reference (see ../shared/reference/salesforce-api.md §8); values the sandbox
computes itself (IsClosed, Name, AccountId on Task, ...) are marked ``derived``.
"""

from sandbox.schema.model import make_sobject
from sandbox.schema.picklists import (
    CALL_TYPE,
    CASE_ORIGIN,
    CASE_PRIORITY,
    CASE_REASON,
    CASE_STATUS,
    CASE_TYPE,
    FORECAST_CATEGORY,
    INDUSTRY,
    LEADSOURCE,
    LOCALES,
    OPPORTUNITY_STAGES,
    OPPORTUNITY_TYPE,
    TASK_PRIORITY,
    TASK_STATUS,
    TASK_SUBTYPE,
    TASK_TYPE,
    TIME_ZONES,
    USER_TYPE,
)


def audit_fields(id_label: str) -> tuple[tuple, ...]:
    return (
        ("Id", "id", id_label, 0, "d"),
        ("IsDeleted", "boolean", "Deleted", 0, "d"),
        ("CreatedDate", "datetime", "Created Date", 0, "d"),
        ("CreatedById", "reference", "Created By ID", 0, "d", {"ref": ("User",), "rel": "CreatedBy"}),
        ("LastModifiedDate", "datetime", "Last Modified Date", 0, "d"),
        ("LastModifiedById", "reference", "Last Modified By ID", 0, "d", {"ref": ("User",), "rel": "LastModifiedBy"}),
        ("SystemModstamp", "datetime", "System Modstamp", 0, "d"),
    )


WHAT_TARGETS = ("Account", "Campaign", "Case", "Contract", "Opportunity", "Order", "Product2", "Solution")

# fmt: off
TASK = make_sobject(
    "Task", "Task", "Tasks", "00T",
    audit_fields("Activity ID") + (
        ("WhoId", "reference", "Name ID", 0, "cun", {"ref": ("Contact", "Lead"), "rel": "Who", "child": "Tasks", "cascade": True}),
        ("WhatId", "reference", "Related To ID", 0, "cun", {"ref": WHAT_TARGETS, "rel": "What", "child": "Tasks", "cascade": True}),
        ("Subject", "combobox", "Subject", 255, "cun", {"values": ("Call", "Send Letter", "Send Quote", "Other"), "nameField": True}),
        ("ActivityDate", "date", "Due Date Only", 0, "cun"),
        ("Status", "picklist", "Status", 40, "cud", {"values": TASK_STATUS, "default": "Not Started"}),
        ("Priority", "picklist", "Priority", 40, "cud", {"values": TASK_PRIORITY, "default": "Normal"}),
        ("IsHighPriority", "boolean", "High Priority", 0, "d", {"derived": True}),
        ("OwnerId", "reference", "Assigned To ID", 0, "cud", {"ref": ("Group", "User"), "rel": "Owner"}),
        ("Description", "textarea", "Description", 32000, "cun", {"extra": "plaintextarea"}),
        ("Type", "picklist", "Type", 40, "cun", {"values": TASK_TYPE}),
        ("AccountId", "reference", "Account ID", 0, "n", {"ref": ("Account",), "rel": "Account", "derived": True}),
        ("IsClosed", "boolean", "Closed", 0, "d", {"derived": True}),
        ("IsArchived", "boolean", "Archived", 0, "d"),
        ("CallDurationInSeconds", "int", "Call Duration", 0, "cun", {"digits": 8}),
        ("CallType", "picklist", "Call Type", 40, "cunr", {"values": CALL_TYPE}),
        ("CallDisposition", "string", "Call Result", 255, "cun"),
        ("CallObject", "string", "Call Object Identifier", 255, "cun"),
        ("ReminderDateTime", "datetime", "Reminder Date/Time", 0, "cun"),
        ("IsReminderSet", "boolean", "Reminder Set", 0, "cud"),
        ("IsRecurrence", "boolean", "Create Recurring Series of Tasks", 0, "cd"),
        ("TaskSubtype", "picklist", "Task Subtype", 40, "cnr", {"values": TASK_SUBTYPE}),
        ("CompletedDateTime", "datetime", "Completed Date/Time", 0, "n", {"derived": True}),
    ),
    flags={"feedEnabled": False},
    scopes=(("delegated", "My delegated tasks"), ("everything", "All tasks"), ("mine", "My tasks"), ("team", "My team's tasks")),
)

OPPORTUNITY = make_sobject(
    "Opportunity", "Opportunity", "Opportunities", "006",
    audit_fields("Opportunity ID") + (
        ("AccountId", "reference", "Account ID", 0, "cun", {"ref": ("Account",), "rel": "Account", "child": "Opportunities", "cascade": True}),
        ("IsPrivate", "boolean", "Private", 0, "cud"),
        ("Name", "string", "Name", 120, "cu", {"nameField": True}),
        ("Description", "textarea", "Description", 32000, "cun", {"extra": "plaintextarea"}),
        ("StageName", "picklist", "Stage", 255, "cu", {"values": tuple(s[0] for s in OPPORTUNITY_STAGES)}),
        ("Amount", "currency", "Amount", 0, "cun"),
        ("Probability", "percent", "Probability (%)", 0, "cun", {"precision": 3, "scale": 0}),
        ("ExpectedRevenue", "currency", "Expected Amount", 0, "n", {"derived": True}),
        ("TotalOpportunityQuantity", "double", "Quantity", 0, "cun", {"precision": 18, "scale": 2}),
        ("CloseDate", "date", "Close Date", 0, "cu"),
        ("Type", "picklist", "Opportunity Type", 255, "cun", {"values": OPPORTUNITY_TYPE}),
        ("NextStep", "string", "Next Step", 255, "cun"),
        ("LeadSource", "picklist", "Lead Source", 255, "cun", {"values": LEADSOURCE}),
        ("IsClosed", "boolean", "Closed", 0, "d", {"derived": True}),
        ("IsWon", "boolean", "Won", 0, "d", {"derived": True}),
        ("ForecastCategory", "picklist", "Forecast Category", 40, "r", {"values": FORECAST_CATEGORY, "derived": True}),
        ("ForecastCategoryName", "picklist", "Forecast Category", 40, "cunr", {"values": FORECAST_CATEGORY}),
        ("CampaignId", "reference", "Campaign ID", 0, "cun", {"ref": ("Campaign",), "rel": "Campaign"}),
        ("HasOpportunityLineItem", "boolean", "Has Line Item", 0, "d"),
        ("Pricebook2Id", "reference", "Price Book ID", 0, "cun", {"ref": ("Pricebook2",), "rel": "Pricebook2"}),
        ("OwnerId", "reference", "Owner ID", 0, "cud", {"ref": ("User",), "rel": "Owner"}),
        ("ContactId", "reference", "Contact ID", 0, "cun", {"ref": ("Contact",), "rel": "Contact", "child": "Opportunities"}),
        ("LastActivityDate", "date", "Last Activity", 0, "n"),
        ("FiscalQuarter", "int", "Fiscal Quarter", 0, "n", {"derived": True}),
        ("FiscalYear", "int", "Fiscal Year", 0, "n", {"derived": True}),
        ("Fiscal", "string", "Fiscal Period", 6, "n", {"derived": True}),
        ("LastViewedDate", "datetime", "Last Viewed Date", 0, "n"),
        ("LastReferencedDate", "datetime", "Last Referenced Date", 0, "n"),
    ),
    flags={"deepCloneable": True},
    scopes=(("everything", "All opportunities"), ("mine", "My opportunities"), ("team", "My team's opportunities")),
)

CASE = make_sobject(
    "Case", "Case", "Cases", "500",
    audit_fields("Case ID") + (
        ("MasterRecordId", "reference", "Master Record ID", 0, "n", {"ref": ("Case",), "rel": "MasterRecord", "searchPrefilterable": False}),
        ("CaseNumber", "string", "Case Number", 30, "d", {"autoNumber": True, "nameField": True, "derived": True}),
        ("ContactId", "reference", "Contact ID", 0, "cun", {"ref": ("Contact",), "rel": "Contact", "child": "Cases"}),
        ("AccountId", "reference", "Account ID", 0, "cun", {"ref": ("Account",), "rel": "Account", "child": "Cases"}),
        ("ParentId", "reference", "Parent Case ID", 0, "cun", {"ref": ("Case",), "rel": "Parent", "child": "Cases"}),
        ("SuppliedName", "string", "Name", 80, "cun"),
        ("SuppliedEmail", "email", "Email Address", 80, "cun"),
        ("SuppliedPhone", "string", "Phone", 40, "cun"),
        ("SuppliedCompany", "string", "Company", 80, "cun"),
        ("Type", "picklist", "Case Type", 40, "cun", {"values": CASE_TYPE}),
        ("Status", "picklist", "Status", 40, "cund", {"values": CASE_STATUS, "default": "New"}),
        ("Reason", "picklist", "Case Reason", 40, "cun", {"values": CASE_REASON}),
        ("Origin", "picklist", "Case Origin", 40, "cun", {"values": CASE_ORIGIN}),
        ("Subject", "string", "Subject", 255, "cun"),
        ("Priority", "picklist", "Priority", 40, "cund", {"values": CASE_PRIORITY, "default": "Medium"}),
        ("Description", "textarea", "Description", 32000, "cun", {"extra": "plaintextarea"}),
        ("IsClosed", "boolean", "Closed", 0, "d", {"derived": True}),
        ("ClosedDate", "datetime", "Closed Date", 0, "n", {"derived": True}),
        ("IsEscalated", "boolean", "Escalated", 0, "cud"),
        ("OwnerId", "reference", "Owner ID", 0, "cud", {"ref": ("Group", "User"), "rel": "Owner"}),
        ("LastViewedDate", "datetime", "Last Viewed Date", 0, "n"),
        ("LastReferencedDate", "datetime", "Last Referenced Date", 0, "n"),
    ),
    scopes=(("everything", "All cases"), ("mine", "My cases"), ("queue_owned", "Queue owned cases"), ("team", "My team's cases"), ("user_owned", "User owned cases")),
    url_keys=(
        "approvalLayouts", "caseArticleSuggestions", "caseRowArticleSuggestions", "compactLayouts", "describe",
        "layouts", "listviews", "quickActions", "rowTemplate", "sobject",
    ),
)

USER = make_sobject(
    "User", "User", "Users", "005",
    audit_fields("User ID") + (
        ("Username", "string", "Username", 80, "cu", {"idLookup": True, "unique": True}),
        ("LastName", "string", "Last Name", 80, "cu", {"extra": "personname", "compound": "Name"}),
        ("FirstName", "string", "First Name", 40, "cun", {"extra": "personname", "compound": "Name"}),
        ("Name", "string", "Full Name", 121, "", {"extra": "personname", "nameField": True, "derived": True}),
        ("CompanyName", "string", "Company Name", 80, "cun"),
        ("Division", "string", "Division", 80, "cun"),
        ("Department", "string", "Department", 80, "cun"),
        ("Title", "string", "Title", 80, "cun"),
        ("Email", "email", "Email", 128, "cu"),
        ("Phone", "phone", "Phone", 40, "cun"),
        ("MobilePhone", "phone", "Mobile", 40, "cun"),
        ("Alias", "string", "Alias", 8, "cu"),
        ("CommunityNickname", "string", "Nickname", 40, "cu"),
        ("IsActive", "boolean", "Active", 0, "cud"),
        ("TimeZoneSidKey", "picklist", "Time Zone", 40, "cur", {"values": TIME_ZONES}),
        ("LocaleSidKey", "picklist", "Locale", 40, "cur", {"values": LOCALES}),
        ("EmailEncodingKey", "picklist", "Email Encoding", 40, "cur", {"values": (("UTF-8", "Unicode (UTF-8)"), ("ISO-8859-1", "General US & Western Europe (ISO-8859-1, ISO-LATIN-1)"))}),
        ("ProfileId", "reference", "Profile ID", 0, "cu", {"ref": ("Profile",), "rel": "Profile"}),
        ("UserType", "picklist", "User Type", 40, "nr", {"values": USER_TYPE, "derived": True}),
        ("LanguageLocaleKey", "picklist", "Language", 40, "cur", {"values": (("en_US", "English"), ("fr", "French"), ("de", "German"))}),
        ("EmployeeNumber", "string", "Employee Number", 20, "cun"),
        ("ManagerId", "reference", "Manager ID", 0, "cun", {"ref": ("User",), "rel": "Manager"}),
        ("UserRoleId", "reference", "Role ID", 0, "cun", {"ref": ("UserRole",), "rel": "UserRole"}),
        ("FederationIdentifier", "string", "SAML Federation ID", 512, "cun"),
        ("ContactId", "reference", "Contact ID", 0, "cn", {"ref": ("Contact",), "rel": "Contact", "child": "Users"}),
        ("AccountId", "reference", "Account ID", 0, "n", {"ref": ("Account",), "rel": "Account", "child": "Users", "derived": True}),
        ("LastLoginDate", "datetime", "Last Login", 0, "n"),
        ("Industry", "picklist", "Industry", 40, "cun", {"values": INDUSTRY, "permissionable": False}),
    ),
    flags={"deletable": False, "undeletable": False},
    url_keys=("compactLayouts", "describe", "layouts", "namedLayouts", "passwordUtilities", "quickActions", "rowTemplate", "sobject"),
)
# fmt: on
