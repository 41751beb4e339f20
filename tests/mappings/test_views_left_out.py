"""The settings pages say which mapped fields recent writes left out for some reps, and why.

End to end: a rep's Salesforce profile hides (or makes read-only) a field the admin still sees, so the admin's
describe shows no drift; the rep's writes go out without the field, and the page reads that from the ledger."""

from __future__ import annotations

import re
from html import unescape

import pytest

from activities.models import JobAction, WritebackJob
from integrations.models import DescribeCache
from mappings.models import CreationDefault, SequenceFieldMapping, TaskFieldMapping
from tests.activities.conftest import activity_event
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db
FIELD = "sb_numberdialed__c"
REP_PROFILE = "Standard User"  # the sandbox's rep1/rep2 (sandbox/README.md)


def call(n: int, rep) -> dict:
    return activity_event(n, rep=rep, call={"number_dialed": "+1 415 555 0100"})


@pytest.fixture
def mapped(crm):
    """Calls map the number dialed onto a Task custom field every profile can edit, for now."""
    crm.control.add_fields(crm.org.org_id, "Task", [{"name": FIELD, "type": "phone", "label": "Number Dialed"}])
    DescribeCache.objects.all().delete()
    TaskFieldMapping.objects.create(workspace=crm.workspace, activity_kind="call", target_field=FIELD,
                                    source="variable", value="number_dialed", position=50)  # fmt: skip
    return crm


def page(user, path: str) -> str:
    response = logged_in_client(user).get(path)
    assert response.status_code == 200
    return response.content.decode()


def warning_rows(html: str) -> list[str]:
    """The text of each left-out line, as a person reads it."""
    rows = re.findall(r'<li data-testid="left-out-row">(.*?)</li>', html, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", row)).split()) for row in rows]


def tasks_url(crm, kind: str = "call") -> str:
    return f"/w/{crm.workspace.slug}/settings/crm/tasks/{kind}/"


def test_task_field_hidden_from_a_rep_is_listed_with_the_reason_and_an_example(mapped):
    crm = mapped
    crm.control.set_permissions(crm.org.org_id, REP_PROFILE, fields={f"Task.{FIELD}": "hidden"})
    crm.ingest([call(1, crm.rep), call(2, crm.rep), call(3, crm.rep2)])
    tasks = crm.tasks()
    assert len(tasks) == 3 and not any(t.get(FIELD) for t in tasks)  # written, without the field

    html = page(crm.owner, tasks_url(crm))
    assert 'data-testid="drift-warning"' not in html  # the admin's own describe still has the field
    rows = warning_rows(html)
    rep1, rep2 = crm.rep_connection.remote_username, crm.rep2_connection.remote_username
    assert rep1 and rep2 and rep1 != rep2
    why = ("in the last 14 days: hidden from that user by field-level security. Grant the rep's profile (or a "
           "permission set of theirs) edit access to the field in Salesforce. See an example.")  # fmt: skip
    assert rows == [
        f"Number Dialed ({FIELD}) was left out of 2 Tasks written as {rep1} ({crm.rep.email}) {why}",
        f"Number Dialed ({FIELD}) was left out of 1 Task written as {rep2} ({crm.rep2.email}) {why}",
    ]

    # The example link opens the history of one of those activities, which names what was left out.
    links = re.findall(r'<li data-testid="left-out-row">.*?<a href="([^"]+)">See an example</a>', html, flags=re.S)
    rep_activities = set(
        WritebackJob.objects.filter(action=JobAction.TASK_CREATE, user=crm.rep).values_list("activity_id", flat=True)
    )
    assert int(links[0].rstrip("/").rsplit("/", 1)[1]) in rep_activities
    assert f"{FIELD} skipped:" in page(crm.owner, links[0])

    # Read-only members see it too; other kinds' pages do not.
    readonly = page(crm.rep, tasks_url(crm))
    assert 'data-testid="readonly-note"' in readonly and warning_rows(readonly) == rows
    assert 'data-testid="left-out-warning"' not in page(crm.owner, tasks_url(crm, "email"))


def test_nothing_is_listed_when_writes_kept_every_mapped_field(mapped):
    crm = mapped
    crm.ingest([call(1, crm.rep), call(2, crm.rep2)])
    assert [t[FIELD] for t in crm.tasks()] == ["+1 415 555 0100"] * 2

    html = page(crm.owner, tasks_url(crm))
    assert 'data-testid="left-out-warning"' not in html and warning_rows(html) == []


def test_read_only_field_is_told_apart_from_a_hidden_one(mapped):
    crm = mapped
    crm.control.set_permissions(crm.org.org_id, REP_PROFILE, fields={f"Task.{FIELD}": "read"})
    crm.ingest([call(1, crm.rep)])
    (task,) = crm.tasks()
    assert not task.get(FIELD)

    (row,) = warning_rows(page(crm.owner, tasks_url(crm)))
    assert row.startswith(f"Number Dialed ({FIELD}) was left out of 1 Task written as ")
    assert ": read-only for that user by field-level security. Grant the rep's profile" in row


def test_field_gone_for_everyone_says_so_instead_of_blaming_the_profile(mapped):
    crm = mapped
    crm.ingest([call(1, crm.rep)])
    crm.control.delete_fields(crm.org.org_id, "Task", [FIELD])
    crm.ingest([call(2, crm.rep)])

    html = page(crm.owner, tasks_url(crm))
    assert 'data-testid="drift-warning"' in html
    (row,) = warning_rows(html)
    assert row.startswith(f"{FIELD} was left out of 1 Task written as ")
    assert "the field no longer exists in Salesforce (the admin connection cannot see it either)" in row
    assert "Change or remove the mapping." in row


def test_sequence_field_hidden_from_the_rep_is_listed_on_the_sequence_page(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [{"name": "SB_Step__c", "type": "string", "label": "Sequence Step"},
                                            {"name": "SB_Seq__c", "type": "string"}])  # fmt: skip
    crm.control.set_permissions(org, REP_PROFILE, fields={"Contact.SB_Step__c": "hidden"})
    DescribeCache.objects.all().delete()
    for purpose, field in (("name", "SB_Seq__c"), ("step", "SB_Step__c")):
        SequenceFieldMapping.objects.create(workspace=crm.workspace, sobject="Contact", purpose=purpose,
                                            target_field=field)  # fmt: skip
    prospect = {"email": "sam@example.org", "first_name": "Sam", "last_name": "Seq", "company": {"name": "Seq Co"}}
    crm.ingest([{"type": "enrollment", "event": "enrolled", "user": crm.rep.email, "prospect": prospect,
                 "occurred_at": "2026-05-01T09:00:00Z",
                 "sequence": {"name": "Outbound A", "step": "Step 1", "status": "Active"}}])  # fmt: skip
    (contact,) = crm.records("Contact")
    assert contact["SB_Seq__c"] == "Outbound A" and not contact.get("SB_Step__c")

    (row,) = warning_rows(page(crm.owner, f"/w/{crm.workspace.slug}/settings/crm/contact/sequence/"))
    assert row.startswith(
        "Sequence Step (SB_Step__c) was left out of 1 Contact sequence update written as "
        f"{crm.rep_connection.remote_username} ({crm.rep.email}) in the last 14 days: hidden from that user by "
        "field-level security."
    )


def test_creation_default_hidden_from_the_rep_is_listed_on_its_object_page(crm):
    org = crm.org.org_id
    crm.control.add_fields(org, "Contact", [{"name": "Region__c", "type": "string", "label": "Region"}])
    crm.control.set_permissions(org, REP_PROFILE, fields={"Contact.Region__c": "hidden"})
    DescribeCache.objects.all().delete()
    CreationDefault.objects.create(workspace=crm.workspace, sobject="Contact", target_field="Region__c",
                                   source="constant", value="EMEA")  # fmt: skip
    crm.ingest([activity_event(1, rep=crm.rep)])
    (contact,) = crm.records("Contact")
    assert not contact.get("Region__c")

    base = f"/w/{crm.workspace.slug}/settings/crm/"
    html = page(crm.owner, base + "contact/defaults/")
    (row,) = warning_rows(html)
    assert row.startswith(
        f"Region (Region__c) was left out of 1 new Contact created as {crm.rep_connection.remote_username} "
        f"({crm.rep.email}) in the last 14 days: hidden from that user by field-level security."
    )
    assert row.endswith("See an example.")
    example = re.search(r'<a href="([^"]+)">See an example</a>', html).group(1)
    assert "Region__c skipped:" in page(crm.owner, example)
    assert warning_rows(page(crm.owner, base + "lead/defaults/")) == []
    assert warning_rows(page(crm.owner, base + "account/defaults/")) == []
