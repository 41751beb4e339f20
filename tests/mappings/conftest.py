from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, ConnectionKind, ConnectionStatus, DescribeCache, OAuthCredential
from tests.activities.conftest import crm  # noqa: F401  (the writeback fixture, for pages fed by real writes)
from tests.factories import MembershipFactory
from tests.mappings.describes import sb_prospect_fields, shared_describe, task_describe
from workspaces.models import Role

UNREACHABLE = "http://127.0.0.1:9"
"""Nothing listens on the discard port: a forced describe fails at once, as when Salesforce is down."""


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def rep(owner):
    return MembershipFactory(role=Role.REP, workspace=owner.workspace)


@pytest.fixture
def describes():
    """Task with our recommended fields; real Contact/Lead/Account shapes plus our sequence fields."""
    return {
        "Task": task_describe(sb_fields=True),
        "Contact": shared_describe("Contact", extra=sb_prospect_fields()),
        "Lead": shared_describe("Lead", extra=sb_prospect_fields()),
        "Account": shared_describe("Account"),
    }


def cached_connection(workspace, describes: dict, *, age=timedelta(minutes=12), status=ConnectionStatus.CONNECTED):
    """An admin connection whose describes are already cached, so pages read them without any HTTP."""
    connection = Connection.objects.create(
        workspace=workspace,
        provider="salesforce",
        kind=ConnectionKind.ADMIN,
        login_url="https://login.salesforce.com",
        instance_url=UNREACHABLE,
        org_id="00D000000000001EAA",
        org_name="Acme Inc",
        status=status,
        status_reason="Refresh token revoked." if status != ConnectionStatus.CONNECTED else "",
        field_prefix="sb_",
    )
    OAuthCredential.objects.create(connection=connection, access_token="token", refresh_token="refresh")
    for sobject, payload in describes.items():
        DescribeCache.objects.create(
            connection=connection, sobject=sobject, payload=payload, fetched_at=timezone.now() - age
        )
    return connection


@pytest.fixture
def connected(owner, describes):
    return cached_connection(owner.workspace, describes)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner.user)
    return client


def crm_url(workspace, path=""):
    return f"/w/{workspace.slug}/settings/crm/{path}"


def formset_data(prefix: str, rows: list[dict], *, initial: int) -> dict:
    """POST data of a formset: `initial` rows are the saved ones (in order), the rest are new."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is False or value is None:
                continue
            data[f"{prefix}-{index}-{key}"] = value
    return data


def task_rows(workspace, kind) -> list[dict]:
    """The saved Task mappings of `kind` as form rows."""
    from mappings.selectors import task_mapping_list

    return [
        {
            "target_field": m.target_field,
            "source": m.source,
            "variable": m.value if m.source == "variable" else "",
            "constant": m.value if m.source == "constant" else "",
        }
        for m in task_mapping_list(workspace=workspace, kind=kind)
    ]


def section_context(response, index: int = 0) -> dict:
    """The context of a page's section: a Task Mappings subtab holds one per activity kind (Email: outgoing,
    incoming); other pages are one section."""
    context = response.context
    return context["sections"][index] if "sections" in context else context
