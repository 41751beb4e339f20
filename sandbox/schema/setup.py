# ruff: noqa: E501  (data tables: one field per line reads better than wrapped tuples)
"""RecordType: the setup object behind ``RecordTypeId`` and the describe's ``recordTypeInfos``.

Fields as the Object Reference documents them (create, query, update through the API; never deleted there). An org
starts with no rows: only the Master record type (``012000000000000AAA``, not a row) exists until one is created.
"""

from sandbox.schema.model import make_sobject

RECORD_TYPE_OBJECTS = ("Account", "Case", "Contact", "Event", "Lead", "Opportunity", "Task")
"""Objects whose records carry ``RecordTypeId`` here (the SobjectType picklist of RecordType)."""
MASTER_RECORD_TYPE_ID = "012000000000000AAA"

RECORD_TYPE = make_sobject(
    "RecordType", "Record Type", "Record Types", "012",
    (
        ("Id", "id", "Record Type ID", 0, "d"),
        ("Name", "string", "Name", 80, "cu", {"nameField": True}),
        ("DeveloperName", "string", "Record Type Name", 80, "cu"),
        ("NamespacePrefix", "string", "Namespace Prefix", 15, "n"),
        ("Description", "string", "Description", 255, "cun"),
        ("BusinessProcessId", "reference", "Business Process ID", 0, "cun", {"ref": ("BusinessProcess",), "rel": "BusinessProcess"}),
        ("SobjectType", "picklist", "SObject Type Name", 40, "cr", {"values": RECORD_TYPE_OBJECTS}),
        ("IsActive", "boolean", "Active", 0, "cud"),
        ("IsPersonType", "boolean", "Is Person Type", 0, "d"),
        ("CreatedById", "reference", "Created By ID", 0, "d", {"ref": ("User",), "rel": "CreatedBy"}),
        ("CreatedDate", "datetime", "Created Date", 0, "d"),
        ("LastModifiedById", "reference", "Last Modified By ID", 0, "d", {"ref": ("User",), "rel": "LastModifiedBy"}),
        ("LastModifiedDate", "datetime", "Last Modified Date", 0, "d"),
        ("SystemModstamp", "datetime", "System Modstamp", 0, "d"),
    ),
    flags={
        "deletable": False, "undeletable": False, "layoutable": False, "searchable": False, "triggerable": False,
        "mruEnabled": False, "feedEnabled": False, "compactLayoutable": False, "searchLayoutable": False,
    },
    url_keys=("describe", "rowTemplate", "sobject"),
)  # fmt: skip
