"""The soak's counting (soak/report.py) against real outcomes: a soak that cannot see a loss or a duplicate would
report zeros for ever. Runs on every database (the soak itself needs PostgreSQL)."""

from __future__ import annotations

import time

import pytest

from activities.models import Activity, JobAction, JobStatus, WritebackJob
from soak import report
from soak.config import SHORT, config_from
from soak.destinations import SALESFORCE_FAULTS, Salesforce, shares
from soak.load import Plan, Poster
from tests.activities.conftest import activity_event, crm  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def soak_event(event: dict) -> dict:
    return {**event, "_key": event["id"], "_type": "activity"}


def test_counts_written_duplicated_failed_and_lost(crm):  # noqa: F811
    events = [activity_event(n, rep=crm.rep) for n in range(4)]
    crm.ingest(events[:2])  # written
    crm.control.add_validation_rule(crm.org.org_id, "Task", "No rejects", {"field": "Subject", "op": "contains",
                                    "value": "Reject"}, "Tasks may not be rejects")  # fmt: skip
    crm.ingest([{**events[2], "subject": "Reject me"}])  # failed with Salesforce's reason
    crm.control.fault(method="*", path="/services/data/*", status=503)
    crm.ingest(events[3:4])  # still retrying when the soak stops waiting
    crm.control.clear_faults()
    first = Activity.objects.get(external_id="act-0")
    crm.control.load_records(crm.org.org_id, "Task", [  # a second Task for the same activity
        {"Subject": "again", "Description": f"Call\n[switchboard:{first.workspace_id}-{first.pk}]"}])  # fmt: skip

    never_stored = {"type": "activity", "id": "act-ghost"}
    plan = Plan(prospects=[], existing=[], steady=[soak_event(e) for e in [*events, never_stored]], burst=[])
    poster = Poster(api_url="", api_key="")
    poster.acked = {e["_key"]: "activity" for e in plan.steady}
    poster.sent = {e["_key"]: time.time() - 5 for e in plan.steady}
    destination = Salesforce(crm.control.base_url, config_from([]))
    destination.org = crm.org
    figures = report.activities_figures(workspace_id=crm.workspace.pk, plan=plan, poster=poster,
                                        remote_tasks=destination.tasks_by_activity())  # fmt: skip

    failed = WritebackJob.objects.get(activity__external_id="act-2", action=JobAction.TASK_CREATE)
    assert failed.status == JobStatus.FAILED and failed.last_error_message
    assert figures["activities"] == 5
    assert figures["written"] == 2
    assert figures["duplicated"] == 1
    assert figures["failed_with_reason"] == 1
    assert figures["failure_reasons"] == {"FIELD_CUSTOM_VALIDATION_EXCEPTION": 1}, figures
    assert figures["lost"] == 2 and figures["unfinished"] == 1
    assert figures["lost_detail"] == {"never_stored": 1, "unfinished_pending": 1}
    assert figures["steady_written"] == 2 and figures["p95_event_to_crm_s_steady"] > 0


def test_fault_shares_add_up_to_the_rate():
    probabilities = shares(0.2, len(SALESFORCE_FAULTS))
    let_through, fired = 1.0, []  # each fault fires on what the ones before it let through
    for p in probabilities:
        fired.append(let_through * p)
        let_through *= 1 - p
    assert fired == pytest.approx([0.2 / len(SALESFORCE_FAULTS)] * len(SALESFORCE_FAULTS))


def test_config_layers_and_bad_values():
    assert config_from([]).activities == 10_000
    short = config_from(["--short"], {})
    assert (short.activities, short.duration_s) == (SHORT["activities"], SHORT["duration_s"])
    layered = config_from(["--short", "--reps", "7", "--no-revoke"], {"SOAK_REPS": "5", "SOAK_BURST": "10"})
    assert (layered.reps, layered.burst, layered.revoke) == (7, 10, False)
    with pytest.raises(ValueError, match="burst"):
        config_from(["--activities", "10", "--burst", "20"], {})
