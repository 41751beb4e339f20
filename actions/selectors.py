"""Reads for the Actions page (never writes)."""

from __future__ import annotations

from django.db.models import QuerySet

from actions.models import ActionRun, ScoreMapping, ScoreSettings
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
