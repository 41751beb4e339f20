"""Actions in the Django admin: every run listed with who sent it and how it went, read-only (they are created only
through the API or the Actions page, where they are checked first)."""

from __future__ import annotations

import pytest
from django.test import Client

from actions.models import ActionRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_actions_with_who_result_and_attempts(agent):
    agent.act("create_task", {"subject": "From the agent", "who_id": agent.contact_id})
    agent.act("update_opportunity", {"opportunity_id": agent.account_id, "field_values": {"NextStep": "x"}})
    done, refused = ActionRun.objects.order_by("id")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get("/admin/actions/actionrun/").content.decode()
    assert "Create a Task" in page and "Update an Opportunity" in page
    assert "API key “notes agent”" in page and "wrong_object" in page
    assert "/admin/actions/actionrun/add/" not in page

    assert "?status__exact=refused" in page  # filters by result
    filtered = client.get("/admin/actions/actionrun/?status__exact=refused").content.decode()
    assert f"/admin/actions/actionrun/{refused.pk}/change/" in filtered
    assert f"/admin/actions/actionrun/{done.pk}/change/" not in filtered

    detail = client.get(f"/admin/actions/actionrun/{done.pk}/change/")
    assert detail.status_code == 200 and done.record_id in detail.content.decode()
    assert client.get("/admin/actions/actionrun/add/").status_code == 403
