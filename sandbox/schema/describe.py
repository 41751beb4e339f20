"""Build describe responses (sObject describe, describeGlobal entries) from compact specs.

Every key of the recorded Salesforce describe is produced; values not written in the compact spec come from
per-type defaults below, which match what Salesforce returns for standard fields of that type.
"""

from __future__ import annotations

from typing import Any

from sandbox.schema.model import STRING_TYPES, Field, SObjectSpec
from sandbox.schema.setup import MASTER_RECORD_TYPE_ID

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "time": "xsd:time",
    "address": "urn:address",
    "location": "urn:location",
    "base64": "xsd:base64Binary",
}
NUMERIC_PRECISION = {"double": (18, 15), "currency": (18, 2), "percent": (18, 2)}


def _long_text(f: Field) -> bool:
    return f.type in ("textarea", "base64") and f.length > 255


def field_describe(f: Field, *, createable: bool | None = None, updateable: bool | None = None) -> dict[str, Any]:
    """The describe dict of one field; ``createable``/``updateable`` may be narrowed by field-level security."""
    t = f.type
    polymorphic = len(f.reference_to) > 1
    precision, scale = NUMERIC_PRECISION.get(t, (0, 0))
    if t in ("id", "reference"):
        length = byte_length = 18
    elif t in STRING_TYPES:
        length, byte_length = f.length, f.length * 3
    else:
        length = byte_length = 0
    default = f.default
    if t == "boolean" and default is None:
        default = False
    d: dict[str, Any] = {
        "aggregatable": t not in ("boolean", "address", "location") and not _long_text(f),
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": byte_length,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": f.compound,
        "controllerName": None,
        "createable": f.createable if createable is None else createable,
        "custom": f.custom,
        "defaultValue": default,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if t == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": f.external_id,
        "extraTypeInfo": f.extra_type,
        "filterable": not _long_text(f),
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": t not in ("double", "currency", "percent", "datetime", "address", "location", "combobox")
        and not _long_text(f),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": f.id_lookup,
        "inlineHelpText": None,
        "label": f.label,
        "length": length,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": False,
        "namePointing": polymorphic,
        "nillable": f.nillable,
        "permissionable": f.nillable and f.createable and t != "id",
        "picklistValues": [
            {"active": active, "defaultValue": value == f.default, "label": label, "validFor": None, "value": value}
            for value, label, active in f.picklist
        ],
        "polymorphicForeignKey": polymorphic,
        "precision": precision,
        "queryByDistance": t in ("address", "location"),
        "referenceTargetField": None,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted,
        "scale": scale,
        "searchPrefilterable": t == "reference" and f.nillable and not polymorphic,
        "soapType": SOAP_TYPES.get(t, "xsd:string"),
        "sortable": t not in ("address", "location", "multipicklist") and not _long_text(f),
        "type": t,
        "unique": f.unique,
        "updateable": f.updateable if updateable is None else updateable,
        "writeRequiresMasterRead": False,
    }
    if f.overrides:
        d.update(f.overrides)
    return d


# Resources whose URL is not simply named after the key (as recorded in Global.json).
URL_PATHS = {
    "namedLayouts": "/describe/namedLayouts/{LayoutName}",
    "passwordUtilities": "/{ID}/password",
    "caseArticleSuggestions": "/suggestedArticles",
    "caseRowArticleSuggestions": "/{ID}/suggestedArticles",
    "eventSeriesUpdates": "/{ID}/fromThisEventOnwards",
}


def object_urls(spec: SObjectSpec, version: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{spec.name}"
    urls = {}
    for key in spec.url_keys:
        if key in URL_PATHS:
            urls[key] = base + URL_PATHS[key]
        elif key in ("approvalLayouts", "compactLayouts", "layouts"):
            urls[key] = f"{base}/describe/{key}"
        elif key == "describe":
            urls[key] = f"{base}/describe"
        elif key == "rowTemplate":
            urls[key] = f"{base}/{{ID}}"
        elif key == "sobject":
            urls[key] = base
        else:
            urls[key] = f"{base}/{key}"
    return dict(sorted(urls.items()))


OBJECT_DEFAULTS: dict[str, Any] = {
    "activateable": False,
    "associateEntityType": None,
    "associateParentEntity": None,
    "compactLayoutable": True,
    "createable": True,
    "customSetting": False,
    "deepCloneable": False,
    "defaultImplementation": None,
    "deletable": True,
    "deprecatedAndHidden": False,
    "extendedBy": None,
    "extendsInterfaces": None,
    "feedEnabled": True,
    "hasSubtypes": False,
    "implementedBy": None,
    "implementsInterfaces": None,
    "isInterface": False,
    "isSubtype": False,
    "layoutable": True,
    "listviewable": None,
    "lookupLayoutable": None,
    "mergeable": False,
    "mruEnabled": True,
    "namedLayoutInfos": [],
    "networkScopeFieldName": None,
    "queryable": True,
    "replicateable": True,
    "retrieveable": True,
    "searchLayoutable": True,
    "searchable": True,
    "sobjectDescribeOption": "FULL",
    "triggerable": True,
    "undeletable": True,
    "updateable": True,
}
GLOBAL_KEYS = (
    "activateable", "associateEntityType", "associateParentEntity", "createable", "custom", "customSetting",
    "deepCloneable", "deletable", "deprecatedAndHidden", "feedEnabled", "hasSubtypes", "isInterface", "isSubtype",
    "keyPrefix", "label", "labelPlural", "layoutable", "mergeable", "mruEnabled", "name", "queryable",
    "replicateable", "retrieveable", "searchable", "triggerable", "undeletable", "updateable", "urls",
)  # fmt: skip


def object_flags(spec: SObjectSpec, perms: str = "crud") -> dict[str, Any]:
    """Object-level describe flags, narrowed by the user's object permissions (letters c r u d)."""
    flags = dict(OBJECT_DEFAULTS)
    flags.update(spec.flags)
    flags["custom"] = spec.custom
    flags["keyPrefix"] = spec.key_prefix
    flags["label"] = spec.label
    flags["labelPlural"] = spec.label_plural
    flags["name"] = spec.name
    flags["createable"] = flags["createable"] and "c" in perms
    flags["updateable"] = flags["updateable"] and "u" in perms
    flags["deletable"] = flags["deletable"] and "d" in perms
    flags["undeletable"] = flags["undeletable"] and "d" in perms
    if "r" not in perms:
        flags["queryable"] = flags["retrieveable"] = flags["searchable"] = False
    return flags


def global_entry(spec: SObjectSpec, version: str, instance_url: str, perms: str = "crud") -> dict[str, Any]:
    flags = object_flags(spec, perms)
    urls = object_urls(spec, version)
    entry = {k: flags.get(k) for k in GLOBAL_KEYS if k != "urls"}
    entry["urls"] = urls
    return dict(sorted(entry.items()))


def describe_sobject(
    spec: SObjectSpec,
    *,
    fields: list[dict[str, Any]],
    child_relationships: list[dict[str, Any]],
    version: str,
    instance_url: str,
    perms: str = "crud",
    record_types: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    d = object_flags(spec, perms)
    d["actionOverrides"] = []
    d["childRelationships"] = child_relationships
    d["fields"] = fields
    d["recordTypeInfos"] = record_type_infos(spec, version, record_types or [])
    d["supportedScopes"] = [{"label": label, "name": name} for name, label in spec.scopes]
    urls = object_urls(spec, version)
    if d["layoutable"]:
        urls["uiDetailTemplate"] = f"{instance_url}/{{ID}}"
        urls["uiEditTemplate"] = f"{instance_url}/{{ID}}/e"
        urls["uiNewRecord"] = f"{instance_url}/{spec.key_prefix}/e"
    d["urls"] = urls
    return dict(sorted(d.items()))


def record_type_infos(spec: SObjectSpec, version: str, record_types: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The org's active record types of the object (the first is the default) plus Master, sorted by name.

    Master is the default only while the object has no record type of its own (as in the recorded Account).
    """
    layouts = f"/services/data/v{version}/sobjects/{spec.name}/describe/layouts"
    infos = [
        {"active": True, "available": True, "defaultRecordTypeMapping": i == 0, "developerName": row["DeveloperName"],
         "master": False, "name": row["Name"], "recordTypeId": row["Id"], "urls": {"layout": f"{layouts}/{row['Id']}"}}
        for i, row in enumerate(record_types)
    ]  # fmt: skip
    infos.append(
        {"active": True, "available": True, "defaultRecordTypeMapping": not record_types, "developerName": "Master",
         "master": True, "name": "Master", "recordTypeId": MASTER_RECORD_TYPE_ID,
         "urls": {"layout": f"{layouts}/{MASTER_RECORD_TYPE_ID}"}}
    )  # fmt: skip
    return sorted(infos, key=lambda info: info["name"])


def child_relationship(child: SObjectSpec, f: Field) -> dict[str, Any]:
    return {
        "cascadeDelete": f.cascade_delete,
        "childSObject": child.name,
        "deprecatedAndHidden": False,
        "field": f.name,
        "junctionIdListNames": [],
        "junctionReferenceTo": [],
        "relationshipName": f.child_relationship,
        "restrictedDelete": False,
    }
