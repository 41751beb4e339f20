"""Reads for the Actions page (never writes)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.db.models import QuerySet

from actions.models import ActionName, ActionRun, ScoreMapping, ScoreSettings
from activities.models import ApiKey


def action_list(*, workspace, name: str = "", status: str = "", source: str = "", search: str = "") -> QuerySet:
    """Actions of the workspace, newest first. `source`: "key:<id>", "person:<id>" or ""."""
    runs = ActionRun.objects.filter(workspace=workspace).select_related("api_key", "started_by", "as_user", "job")
    if name:
        runs = runs.filter(name=name)
    if status:
        runs = runs.filter(status=status)
    kind, _, ident = source.partition(":")
    if ident.isdigit():
        runs = runs.filter(api_key_id=int(ident)) if kind == "key" else runs.filter(started_by_id=int(ident))
    if search:
        runs = runs.filter(summary__icontains=search[:100])
    return runs


def action_sources(*, workspace) -> list[tuple[str, str]]:
    """(filter value, label) of every key and person that ran an action here."""
    keys = ApiKey.objects.filter(
        workspace=workspace, pk__in=ActionRun.objects.filter(workspace=workspace).values("api_key_id")
    ).order_by("name")
    people = (
        ActionRun.objects.filter(workspace=workspace, started_by__isnull=False)
        .values_list("started_by_id", "started_by__email")
        .distinct()
    )
    return [(f"key:{k.pk}", f"API key “{k.name}”") for k in keys] + [(f"person:{pk}", email) for pk, email in people]


def score_settings_get(*, workspace) -> ScoreSettings:
    return ScoreSettings.objects.filter(workspace=workspace).first() or ScoreSettings(workspace=workspace)


def score_mappings(*, workspace) -> dict[str, str]:
    return dict(ScoreMapping.objects.filter(workspace=workspace).values_list("score_name", "account_field"))


def action_examples(*, workspace, today) -> dict[str, str]:
    """A JSON body per page action, filled with records of this org where the local sync copy has them (a Contact
    and its Account, an Opportunity), so a person trying an action starts from something that works."""
    from sync.models import SyncedRecord

    live = SyncedRecord.objects.filter(workspace=workspace, is_deleted=False)
    contact = live.filter(sobject="Contact", data__AccountId__isnull=False).exclude(data__AccountId="").first()
    opportunity = live.filter(sobject="Opportunity").values_list("sf_id", flat=True).first()
    who = contact.sf_id if contact else "003…"
    what = (contact.data.get("AccountId") if contact else "") or "001…"
    name = f" with {contact.name}" if contact and contact.name else ""
    due = (today + timedelta(days=7)).isoformat()
    bodies = {
        ActionName.CREATE_TASK: {
            "subject": f"Follow up{name}",
            "who_id": who,
            "what_id": what,
            "activity_date": due,
            "priority": "Normal",
            "description": "Send the proposal discussed on the call.",
        },
        ActionName.UPDATE_OPPORTUNITY: {
            "opportunity_id": opportunity or "006…",
            "field_values": {"StageName": "Negotiation/Review", "NextStep": "Send the contract"},
        },
        ActionName.LOG_MEETING: {
            "subject": f"Discovery call{name}",
            "who_id": who,
            "what_id": what,
            "start": f"{due}T15:00:00Z",
            "duration_minutes": 30,
        },
        ActionName.QUERY_RECORDS: {
            "object": "Contact",
            "fields": ["Id", "Name", "Email"],
            "filters": [{"field": "AccountId", "op": "=", "value": what}],
            "limit": 20,
        },
    }
    return {name: json.dumps(body, ensure_ascii=False) for name, body in bodies.items()}
