"""Control API: custom fields (``/_sandbox/fields``) and profile permissions (``/_sandbox/permissions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.control.common import body_of, org_of
from sandbox.errors import ControlError
from sandbox.http import Request
from sandbox.schema.model import STRING_TYPES, make_field
from sandbox.state import FIELD_ACCESS, Org

if TYPE_CHECKING:
    from sandbox.server import SandboxApp

FIELD_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "boolean", "int", "double",
     "currency", "percent", "date", "datetime", "reference"}
)  # fmt: skip
DEFAULT_LENGTHS = {"string": 255, "textarea": 32768, "email": 80, "phone": 40, "url": 255, "picklist": 255,
                   "multipicklist": 4099}  # fmt: skip


def add_fields(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    org = org_of(app, body.get("org"))
    specs = body.get("fields")
    if isinstance(body.get("name"), str):
        specs = [{k: v for k, v in body.items() if k not in ("org", "sobject")}]
    if not isinstance(specs, list) or not specs:
        raise ControlError("'fields' must be a non-empty list of {name, type, ...}")
    with org.lock:
        spec = org.spec(str(body.get("sobject") or ""))
        if spec is None:
            raise ControlError(f"unknown sObject {body.get('sobject')!r}")
        copy = spec.copy()
        added = [custom_field(org, copy, item) for item in specs]
        for f in added:
            copy.add_field(f)
        org.schema[copy.name] = copy
        org.schema_modified = app.state.clock.time()
        org.touch()
    return 201, {"sobject": copy.name, "added": [f.name for f in added]}


def delete_fields(app: SandboxApp, req: Request) -> Any:
    """Delete custom fields as Setup does: gone from describe, SOQL and records (schema drift for the product)."""
    body = body_of(req)
    org = org_of(app, body.get("org"))
    names = body.get("fields")
    if isinstance(body.get("name"), str):
        names = [body["name"]]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ControlError("'fields' must be a non-empty list of custom field names")
    with org.lock:
        spec = org.spec(str(body.get("sobject") or ""))
        if spec is None:
            raise ControlError(f"unknown sObject {body.get('sobject')!r}")
        found = [spec.get(name) for name in names]
        missing = [name for name, f in zip(names, found, strict=True) if f is None]
        if missing:
            raise ControlError(f"{spec.name} has no field {', '.join(missing)}", status=404)
        standard = [f.name for f in found if not f.name.endswith("__c")]
        if standard:
            raise ControlError(f"standard fields cannot be deleted: {', '.join(standard)}")
        copy = spec.copy()
        for f in found:
            del copy.fields[f.name]
        copy.reindex()
        org.schema[copy.name] = copy
        for record in org.records.get(copy.name, {}).values():
            for f in found:
                record.pop(f.name, None)
        for profile in org.profiles.values():
            for f in found:
                profile.fields.pop(f"{copy.name}.{f.name}", None)
        org.schema_modified = app.state.clock.time()
        org.touch()
    return 200, {"sobject": copy.name, "deleted": [f.name for f in found]}


def custom_field(org: Org, spec, item: Any):
    if not isinstance(item, dict):
        raise ControlError("each field is a JSON object")
    name = item.get("name")
    ftype = item.get("type")
    if not isinstance(name, str) or not name.endswith("__c") or not name[:-3].replace("_", "").isalnum():
        raise ControlError(f"custom field names end in __c: {name!r}")
    if spec.get(name) is not None:
        raise ControlError(f"{spec.name}.{name} already exists", status=409)
    if ftype not in FIELD_TYPES:
        raise ControlError(f"type must be one of {sorted(FIELD_TYPES)}")
    flags = "cunC"
    if item.get("required"):
        flags = flags.replace("n", "")
    if item.get("external_id"):
        flags += "x"
    if item.get("unique"):
        flags += "q"
    if item.get("restricted"):
        flags += "r"
    if ftype == "boolean":
        flags = flags.replace("n", "") + "d"
    opts: dict[str, Any] = {}
    values = item.get("values") or item.get("picklist_values")
    if ftype in ("picklist", "multipicklist"):
        if not isinstance(values, list) or not values:
            raise ControlError("picklist fields need 'values'")
        opts["values"] = tuple(str(v) if not isinstance(v, list) else tuple(v) for v in values)
    if ftype == "reference":
        targets = item.get("reference_to")
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list) or not targets:
            raise ControlError("reference fields need 'reference_to'")
        opts["ref"] = tuple(targets)
        opts["rel"] = item.get("relationship_name") or name[:-3] + "__r"
        opts["child"] = item.get("child_relationship")
    if item.get("default") is not None:
        opts["default"] = item["default"]
    if ftype == "textarea" and item.get("length", 32768) > 255:
        opts["extra"] = "plaintextarea"
    opts["permissionable"] = True
    if ftype in ("double", "currency", "percent"):
        opts["precision"] = int(item.get("precision", 18))
        opts["scale"] = int(item.get("scale", 2 if ftype != "double" else 0))
    length = int(item.get("length", DEFAULT_LENGTHS.get(ftype, 0))) if ftype in STRING_TYPES else 0
    label = item.get("label") or name[:-3].replace("_", " ").strip().title()
    return make_field((name, ftype, label, length, flags, opts))


def set_permissions(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    org = org_of(app, body.get("org"))
    with org.lock:
        profile = org.profile_named(str(body.get("profile") or ""))
        if profile is None:
            raise ControlError(f"unknown profile {body.get('profile')!r}", status=404)
        objects = body.get("objects") or {}
        fields = body.get("fields") or {}
        if not isinstance(objects, dict) or not isinstance(fields, dict):
            raise ControlError("'objects' maps sObject -> letters 'crud'; 'fields' maps 'Object.Field' -> access")
        for sobject, perms in objects.items():
            if org.spec(sobject) is None or not isinstance(perms, str) or set(perms) - set("crud"):
                raise ControlError(f"bad object permission {sobject!r}: {perms!r} (letters from 'crud')")
            profile.objects[org.spec(sobject).name] = perms
        for key, access in fields.items():
            sobject, _, field_name = str(key).partition(".")
            spec = org.spec(sobject)
            f = spec.get(field_name) if spec else None
            if f is None or access not in FIELD_ACCESS:
                raise ControlError(f"bad field permission {key!r}: {access!r} (one of {FIELD_ACCESS})")
            profile.fields[f"{spec.name}.{f.name}"] = access
        if "api_enabled" in body:
            profile.api_enabled = bool(body["api_enabled"])
        org.touch()
    return profile.as_dict()


def add_validation_rule(app: SandboxApp, req: Request) -> Any:
    """A validation rule on an object (sandbox.validation); a rule of the same name on it is replaced."""
    from sandbox.validation import rule_parse

    body = body_of(req)
    org = org_of(app, body.get("org"))
    with org.lock:
        spec = org.spec(str(body.get("sobject") or ""))
        if spec is None:
            raise ControlError(f"unknown sObject {body.get('sobject')!r}")
        rule = rule_parse(spec, body)
        rules = [
            r for r in getattr(org, "validation_rules", []) if (r["sobject"], r["name"]) != (spec.name, rule["name"])
        ]
        org.validation_rules = [*rules, rule]
    return 201, rule


def list_validation_rules(app: SandboxApp, req: Request) -> Any:
    org = org_of(app, req.arg("org"))
    return {"rules": list(getattr(org, "validation_rules", []))}


def delete_validation_rules(app: SandboxApp, req: Request) -> Any:
    """Rules of `sobject` (all of them, or the one named `name`); every rule of the org without either."""
    body = body_of(req)
    org = org_of(app, body.get("org"))
    sobject, name = body.get("sobject"), body.get("name")
    with org.lock:
        before = list(getattr(org, "validation_rules", []))
        org.validation_rules = [r for r in before if not ((sobject is None or r["sobject"] == sobject)
                                                          and (name is None or r["name"] == name))]  # fmt: skip
    return {"deleted": len(before) - len(org.validation_rules)}
