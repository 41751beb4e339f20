"""Advanced settings: the prospect matching rules (each can be switched off, shown in the order they run) and what
happens when several records match (issue 12)."""

from __future__ import annotations

import re

import pytest

from mappings.models import CrmSettings, SettingsChange
from mappings.sections import section_diff
from tests.mappings.conftest import crm_url

pytestmark = pytest.mark.django_db

RULES = ["match_contact_email", "match_contact_name_company", "match_contact_linkedin", "match_lead_email",
         "match_lead_name_company"]  # fmt: skip
BASE = {"log_mode": "completed_only", "new_prospect_as": "contact", "api_budget_percent": "80"}


def test_rules_are_shown_in_the_order_they_run_all_on_by_default(owner_client, owner):
    page = owner_client.get(crm_url(owner.workspace, "advanced/"))
    html = page.content.decode()
    positions = [html.index(f'name="{name}"') for name in RULES]
    assert positions == sorted(positions)
    labels = re.findall(r"Match (Contact|Lead) by ([A-Za-z +]+)", html)
    assert [f"{o} by {r.split(' (')[0].strip()}" for o, r in labels][:5] == [
        "Contact by Email", "Contact by Name + Company", "Contact by LinkedIn URL", "Lead by Email",
        "Lead by Name + Company",
    ]  # fmt: skip
    form = page.context["form"]
    assert all(form.initial[name] is True for name in RULES)
    assert form.initial["ambiguous_match"] == "create"
    assert 'name="match_rules_shown"' in html


def test_switching_rules_off_and_holding_for_review_is_saved_with_history(owner_client, owner):
    data = {**BASE, "match_rules_shown": "1", "ambiguous_match": "review",
            **{name: "on" for name in RULES if name != "match_contact_name_company"}}  # fmt: skip
    assert owner_client.post(crm_url(owner.workspace, "advanced/"), data).status_code == 302

    crm = CrmSettings.objects.get(workspace=owner.workspace)
    assert [getattr(crm, name) for name in RULES] == [True, False, True, True, True]
    assert crm.ambiguous_match == "review"
    change = SettingsChange.objects.filter(workspace=owner.workspace, section="advanced").latest("id")
    shown = " ".join(section_diff(section="advanced", before=change.before, after=change.after))
    assert "Match Contact by Name + Company" in shown and "off" in shown
    assert "Hold its writes" in shown


def test_a_post_without_the_rules_keeps_them(owner_client, owner):
    """An older page or a script that does not know the rules must not switch every rule off."""
    CrmSettings.objects.create(workspace=owner.workspace, match_lead_email=False, ambiguous_match="review")
    assert owner_client.post(crm_url(owner.workspace, "advanced/"), {**BASE, "log_mode": "all"}).status_code == 302

    crm = CrmSettings.objects.get(workspace=owner.workspace)
    assert crm.log_mode == "all"
    assert [getattr(crm, name) for name in RULES] == [True, True, True, False, True]
    assert crm.ambiguous_match == "review"


def test_members_without_manage_see_the_rules_read_only(client, rep):
    client.force_login(rep.user)
    form = client.get(crm_url(rep.workspace, "advanced/")).context["form"]
    assert all(form.fields[name].disabled for name in [*RULES, "ambiguous_match"])
