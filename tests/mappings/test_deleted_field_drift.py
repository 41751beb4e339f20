"""A mapped custom field deleted in Salesforce Setup (not merely hidden) is flagged on the settings page."""

import pytest

from tests.mappings.conftest import crm_url
from tests.mappings.test_sandbox import TASK_FIELDS, saved
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db


def test_a_mapped_field_deleted_in_the_org_is_flagged_after_a_refresh(sandbox, sandbox_org, salesforce_connection):
    sandbox.control.add_fields(sandbox_org.org_id, "Task", TASK_FIELDS)
    ws = salesforce_connection.workspace
    client = logged_in_client(salesforce_connection.connected_by)
    client.get(crm_url(ws, "tasks/call/"))
    assert saved(ws)["sb_numberdialed__c"] == "number_dialed"

    sandbox.control.delete_fields(sandbox_org.org_id, "Task", ["sb_numberdialed__c"])
    client.post(crm_url(ws, "metadata/refresh/"))

    response = client.get(crm_url(ws, "tasks/call/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="drift-warning"' in html
    assert "sb_numberdialed__c (not available in Salesforce)" in html
    assert "sb_recordingurl__c (not available" not in html  # only the deleted field is flagged
