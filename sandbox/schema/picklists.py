"""Picklist value lists of the standard objects (values equal labels unless given as ``(value, label)``)."""

# fmt: off
GEOCODEACCURACY = (
    "Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "Neighborhood", "City", "County", "State",
    "Unknown",
)
INDUSTRY = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
    "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental", "Finance",
    "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
    "Not For Profit", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities", "Other",
)
RATING = ("Hot", "Warm", "Cold")
CLEANSTATUS = (
    ("Matched", "In Sync"), "Different", ("Acknowledged", "Reviewed"), ("NotFound", "Not Found"), "Inactive",
    ("Pending", "Not Compared"), ("SelectMatch", "Select Match"), "Skipped",
)
ACCOUNTSOURCE = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
LEADSOURCE = ACCOUNTSOURCE

TASK_STATUS = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
TASK_CLOSED_STATUSES = frozenset({"Completed"})
TASK_PRIORITY = ("High", "Normal", "Low")
TASK_SUBTYPE = ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")
TASK_TYPE = ("Call", "Email", "Meeting", "LinkedIn", "SMS", "Other")
CALL_TYPE = ("Internal", "Inbound", "Outbound")

# (stage, probability, closed, won)
OPPORTUNITY_STAGES = (
    ("Prospecting", 10, False, False), ("Qualification", 10, False, False), ("Needs Analysis", 20, False, False),
    ("Value Proposition", 50, False, False), ("Id. Decision Makers", 60, False, False),
    ("Perception Analysis", 70, False, False), ("Proposal/Price Quote", 75, False, False),
    ("Negotiation/Review", 90, False, False), ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False),
)
OPPORTUNITY_TYPE = (
    "Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade", "New Customer",
)
FORECAST_CATEGORY = (
    "Omitted", "Pipeline", ("BestCase", "Best Case"), ("MostLikely", "Most Likely"), ("Forecast", "Commit"), "Closed",
)
# ForecastCategoryName holds the category names (Object Reference: Best Case, Closed, Commit, Most Likely, ...).
FORECAST_CATEGORY_NAMES = ("Omitted", "Pipeline", "Best Case", "Most Likely", "Commit", "Closed")

CASE_STATUS = ("New", "Working", "Escalated", "Closed")
CASE_CLOSED_STATUSES = frozenset({"Closed"})
CASE_ORIGIN = ("Phone", "Email", "Web")
CASE_PRIORITY = ("High", "Medium", "Low")
CASE_REASON = (
    "Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other",
)
CASE_TYPE = ("Mechanical", "Electrical", "Electronic", "Structural", "Other")

USER_TYPE = (
    "Standard", ("PowerPartner", "Partner"), ("CsnOnly", "Chatter Free"), ("AutomatedProcess", "Automated Process"),
)
TIME_ZONES = (
    ("America/Los_Angeles", "(GMT-07:00) Pacific Daylight Time (America/Los_Angeles)"),
    ("America/New_York", "(GMT-04:00) Eastern Daylight Time (America/New_York)"),
    ("Europe/London", "(GMT+01:00) British Summer Time (Europe/London)"),
    ("Europe/Paris", "(GMT+02:00) Central European Summer Time (Europe/Paris)"),
    ("GMT", "(GMT+00:00) Greenwich Mean Time (GMT)"),
)
LOCALES = (("en_US", "English (United States)"), ("en_GB", "English (United Kingdom)"), ("fr_FR", "French (France)"))
# fmt: on
