"""The setup checklist: compare the org's describes with what Switchboard needs, as every connected user sees them.

Field-level security hides a field from describe entirely, so "missing" and "hidden" look the same to one user.
We describe as the admin connection and as every connected rep: a field one of them sees exists; the others
cannot read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from integrations.errors import FailWithReason, IntegrationError, ReconnectRequired
from integrations.models import Connection, ConnectionKind, ConnectionStatus
from integrations.providers.salesforce.checklist_spec import (
    CHECKLIST_OBJECTS,
    OBJECT_NEEDS,
    RECOMMENDED_FIELDS,
    FieldSpec,
    type_problem,
)
from integrations.services.metadata import describe_get
from integrations.types import ProviderSlug
from mappings.compat import sms_like, sms_opt_out_fields
from mappings.selectors import opt_out_field_get, task_type_values_needed

OK, MISSING, INACTIVE, WRONG_TYPE, NOT_EDITABLE, NOT_READABLE, PROBLEM, WARN = (
    "ok",
    "missing",
    "inactive",
    "wrong_type",
    "not_editable",
    "not_readable",
    "problem",
    "warn",
)
STATUS_LABELS = {
    OK: "OK",
    MISSING: "Missing",
    INACTIVE: "Inactive",
    WRONG_TYPE: "Wrong type",
    NOT_EDITABLE: "Not editable",
    NOT_READABLE: "Not readable",
    PROBLEM: "Problem",
    WARN: "Warning",
}
USAGE_WARN_RATIO = 0.8


@dataclass
class CheckItem:
    label: str
    status: str
    detail: str = ""
    fix: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return {OK: "ok", WARN: "warn", NOT_EDITABLE: "warn"}.get(self.status, "bad")


@dataclass
class CheckSection:
    title: str
    items: list[CheckItem] = field(default_factory=list)


@dataclass
class Checklist:
    sections: list[CheckSection]
    checked_at: datetime
    prefix: str
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(1 for s in self.sections for i in s.items if i.status != OK)


@dataclass
class _Viewer:
    """One connected user and what they see: describes by object, or why we could not ask."""

    connection: Connection
    describes: dict[str, dict] = field(default_factory=dict)
    error: IntegrationError | None = None

    @property
    def name(self) -> str:
        c = self.connection
        return "the admin connection" if c.kind == ConnectionKind.ADMIN else (c.remote_username or str(c.user))

    def field(self, sobject: str, api_name: str) -> dict | None:
        fields = (self.describes.get(sobject) or {}).get("fields", [])
        return next((f for f in fields if f["name"].lower() == api_name.lower()), None)


def checklist_run(
    *, admin: Connection, force: bool = False, task_types: dict[str, list[str]] | None = None
) -> Checklist:
    """Check the org behind `admin`. `force` ignores cached describes (the Re-check button).

    `task_types` maps each Task Type value to the activity kinds that write it; by default, what the workspace's
    Task mappings write (see `mappings.selectors.task_type_values_needed`).
    """
    if task_types is None:
        task_types = task_type_values_needed(workspace=admin.workspace)
    prefix = admin.field_prefix
    viewers = [_describe_as(admin, force)] + [
        _describe_as(c, force)
        for c in Connection.objects.filter(
            workspace_id=admin.workspace_id,
            provider=ProviderSlug.SALESFORCE,
            kind=ConnectionKind.USER,
            status=ConnectionStatus.CONNECTED,
        ).select_related("user")
    ]
    readers = [v for v in viewers if v.error is None]
    errors = [f"Could not read {v.name}'s view of the org: {v.error.message}" for v in viewers if v.error]
    admin.refresh_from_db(fields=["api_usage_used", "api_usage_max", "api_usage_at"])
    sections = []
    if readers:  # with nobody able to read the org, "missing" would be a guess
        sections = [
            CheckSection("Objects", [_object_item(sobject, readers) for sobject in CHECKLIST_OBJECTS]),
            CheckSection(
                "Recommended custom fields", [_field_item(spec, prefix, readers) for spec in RECOMMENDED_FIELDS]
            ),
            CheckSection("Task Type values", _task_type_items(readers, task_types)),
            CheckSection(
                "SMS opt-out",
                [_opt_out_item(sobject, prefix, readers, admin.workspace) for sobject in ("Contact", "Lead")],
            ),
        ]
    sections.append(CheckSection("API access", [_api_access_item(v) for v in viewers] + [_usage_item(admin)]))
    return Checklist(sections=sections, checked_at=timezone.now(), prefix=prefix, errors=errors)


def _describe_as(connection: Connection, force: bool) -> _Viewer:
    viewer = _Viewer(connection)
    for sobject in CHECKLIST_OBJECTS:
        result = describe_get(connection=connection, sobject=sobject, force=force)
        error = result.error
        if error is not None and (force or not result.available):
            if isinstance(error, FailWithReason) and not error.code.startswith("API_"):
                viewer.describes[sobject] = {}  # this one object is out of reach (no access, not found)
                continue
            viewer.error = error  # reconnect, no API access, Salesforce down: nothing this user sees is known
            return viewer
        viewer.describes[sobject] = result.payload
    return viewer


def _names(viewers: list[_Viewer]) -> str:
    return ", ".join(v.name for v in viewers)


def _object_item(sobject: str, readers: list[_Viewer]) -> CheckItem:
    needs = OBJECT_NEEDS[sobject]
    lacking = [(v, [flag for flag in needs if not (v.describes.get(sobject) or {}).get(flag)]) for v in readers]
    lacking = [(v, flags) for v, flags in lacking if flags]
    if not lacking:
        return CheckItem(sobject, OK, "Readable" + (" and writable" if len(needs) > 1 else "") + " by every user.")
    detail = "; ".join(f"{v.name} lacks {', '.join(flags)}" for v, flags in lacking)
    return CheckItem(
        sobject,
        PROBLEM,
        detail,
        f"In Setup › Profiles (or a permission set), give these users Read, Create and Edit on {sobject}.",
    )


def _field_item(spec: FieldSpec, prefix: str, readers: list[_Viewer]) -> CheckItem:
    api_name = spec.api_name(prefix)
    label = f"{spec.sobject}.{api_name} · {spec.type_label}"
    seen = [(v, v.field(spec.sobject, api_name)) for v in readers]
    visible = [(v, f) for v, f in seen if f is not None]
    setup = f"Setup › Object Manager › {_setup_object(spec.sobject)} › Fields & Relationships"
    if not visible:
        return CheckItem(
            label,
            MISSING,
            "No connected user can see this field: it does not exist, or field-level security hides it from all.",
            f"{setup} › New: type {spec.type_label}, Field Name “{api_name.removesuffix('__c')}” (Salesforce adds "
            "__c). On the field-level security step, make it Visible (not Read-Only) for the profiles of your reps "
            "and the admin connection's user.",
        )
    found = visible[0][1]["name"]
    problem = type_problem(spec, visible[0][1])
    if problem:
        return CheckItem(
            label,
            WRONG_TYPE,
            f"{found} {problem}.",
            f"{setup} › {found}: change the field type, or delete it and create it as {spec.type_label}.",
        )
    hidden = [v for v, f in seen if f is None]
    fls = f"{setup} › {found} › Set Field-Level Security"
    if hidden:
        return CheckItem(
            label, NOT_READABLE, f"Hidden from {_names(hidden)}.", f"{fls}: tick Visible for their profiles."
        )
    read_only = [v for v, f in visible if not f.get(spec.write)]
    if read_only:
        return CheckItem(
            label, NOT_EDITABLE, f"Read-only for {_names(read_only)}.", f"{fls}: untick Read-Only for their profiles."
        )
    return CheckItem(label, OK, "Present, right type, editable by every connected user.")


SMS_OPT_OUT = "sms_opt_out__c"
"""The checkbox we recommend for "do not text" (with the connection's prefix), when the org has no such field."""


def _opt_out_item(sobject: str, prefix: str, readers: list[_Viewer], workspace) -> CheckItem:
    """The checkbox meaning "do not text" on `sobject`: the one chosen in CRM settings, else the recommended one if
    the org has it, else any SMS opt-out checkbox the org has (to be chosen); with none, how to create ours."""
    chosen = opt_out_field_get(workspace=workspace, sobject=sobject)
    settings = f"then choose it in CRM settings › {sobject} Mappings › SMS."
    if chosen:
        item = _field_item(FieldSpec(sobject, chosen, "checkbox"), "", readers)
        item.label = f"{sobject} SMS opt-out · {chosen} (chosen in CRM settings)"
        return item
    recommended = f"{prefix}{SMS_OPT_OUT}"
    if any(v.field(sobject, recommended) for v in readers):
        item = _field_item(FieldSpec(sobject, SMS_OPT_OUT, "checkbox"), prefix, readers)
        item.label = f"{sobject} SMS opt-out · {recommended}"
        if item.status == OK:
            item.status, item.detail, item.fix = WARN, "Present, but not chosen as the SMS opt-out.", settings
        return item
    found = [f for v in readers for f in sms_opt_out_fields(v.describes.get(sobject)) if sms_like(f)]
    if found:
        names = ", ".join(dict.fromkeys(f["name"] for f in found))
        return CheckItem(
            f"{sobject} SMS opt-out · {names}",
            WARN,
            f"{names} reads like an SMS opt-out but is not chosen: texts to prospects with it ticked are not stopped.",
            f"Choose it in CRM settings › {sobject} Mappings › SMS.",
        )
    setup = f"Setup › Object Manager › {sobject} › Fields & Relationships"
    return CheckItem(
        f"{sobject} SMS opt-out · {recommended} · Checkbox",
        MISSING,
        f"{sobject} has no checkbox that means “do not text”: prospects who reply STOP cannot be marked, "
        "and texts to them are not held back.",
        f"{setup} › New: type Checkbox, Field Name “{recommended.removesuffix('__c')}” (Salesforce adds __c), "
        f"Visible and editable for your reps and the admin connection's user; {settings}",
    )


def _setup_object(sobject: str) -> str:
    return "Activity" if sobject == "Task" else sobject  # Task fields live on Activity in Object Manager


def _task_type_items(readers: list[_Viewer], task_types: dict[str, list[str]]) -> list[CheckItem]:
    type_field = next((f for v in readers if (f := v.field("Task", "Type"))), None)
    setup = "Setup › Object Manager › Activity › Fields & Relationships › Type"
    if type_field is None:
        return [CheckItem("Task.Type", MISSING, "No connected user can see the Task Type field.", setup)]
    values = {v["value"].lower(): v for v in type_field.get("picklistValues", [])}
    # An unrestricted picklist stores an unknown value anyway; a restricted one refuses the whole Task.
    effect = (
        "Salesforce refuses Tasks with it (the picklist is restricted)."
        if type_field.get("restrictedPicklist")
        else "Salesforce stores it, but reports and list views won't offer it."
    )
    items = []
    for value, kinds in task_types.items():
        used_by = f"Used for {', '.join(kinds)}."
        remap = f"or map {' and '.join(kinds)} to an existing value in CRM settings › Task mappings."
        found = values.get(value.lower())
        if found is None:
            items.append(
                CheckItem(
                    value,
                    MISSING,
                    f"“{value}” is not a Task Type value. {effect} {used_by}",
                    f"{setup} › Values › New: add “{value}”, {remap}",
                )
            )
        elif not found.get("active", True):
            items.append(
                CheckItem(
                    value,
                    INACTIVE,
                    f"“{found['value']}” is an inactive Task Type value. {effect} {used_by}",
                    f"{setup} › Inactive Values › Activate “{found['value']}”, {remap}",
                )
            )
        else:
            items.append(CheckItem(value, OK, f"Active Task Type value “{found['value']}”. {used_by}"))
    return items


def _api_access_item(viewer: _Viewer) -> CheckItem:
    label = f"API access · {viewer.name}"
    error = viewer.error
    if error is None:
        return CheckItem(label, OK, "Can use the Salesforce API.")
    if isinstance(error, ReconnectRequired):
        return CheckItem(label, PROBLEM, error.message, "Reconnect this connection on the integrations page.")
    if isinstance(error, FailWithReason) and error.code.startswith("API_"):
        return CheckItem(
            label,
            PROBLEM,
            error.message,
            "Setup › Users › this user's profile or a permission set: enable “API Enabled”.",
        )
    return CheckItem(label, WARN, error.message, "Re-check in a few minutes.")


def _usage_item(admin: Connection) -> CheckItem:
    if not admin.api_usage_max:
        return CheckItem("Daily API usage", WARN, "Salesforce has not reported usage yet.")
    ratio = admin.api_usage_ratio or 0
    detail = f"{admin.api_usage_used:,} of {admin.api_usage_max:,} requests in the last 24 hours ({ratio:.0%})."
    if ratio >= 1:
        return CheckItem(
            "Daily API usage", PROBLEM, detail, "Wait for the rolling window, or buy more API calls from Salesforce."
        )
    if ratio >= USAGE_WARN_RATIO:
        return CheckItem("Daily API usage", WARN, detail, "Other integrations use much of the allocation; watch it.")
    return CheckItem("Daily API usage", OK, detail)
