"""Set-based ingest: a batch costs the same few queries at 10 events as at 1,000, and stores exactly what storing
the events one at a time stored (bench/ingest_per_event.py, the path before issue 17), wake-ups included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection

from activities.models import Activity, Enrollment, JobAction, JobStatus, OptOut, Prospect, WritebackJob
from activities.services.bulk import whole_statements
from activities.services.ingest import ACTIVITY_FIELDS, PROSPECT_FIELDS, events_ingest
from bench.ingest_per_event import events_ingest_per_event
from mappings.models import CrmSettings
from mappings.types import LogMode
from tests.factories import MembershipFactory, WorkspaceFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db

# Members, settings, and per table at most a read and a write (plus savepoints): what a batch may cost at any size.
QUERY_BUDGET = 24
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def mixed_batch(size: int, reps: list, *, round_: int) -> list[dict]:
    """Every kind of event over size/5 prospects: new and known ones, opens completed later, enrollments, opt-outs."""
    prospects = max(2, size // 5)
    events = []
    for n in range(size):
        p = n % prospects
        rep = reps[p % len(reps)].email
        who = {"email": f"p{p}@example.org", "first_name": "P", "last_name": str(p), "title": f"T{round_}",
               "linkedin_url": f"https://www.linkedin.com/in/p{p}", "company": {"name": f"Co {p % 7}"}}  # fmt: skip
        kind = n % 10
        if kind == 7:
            events.append({"type": "enrollment", "event": "enrolled", "user": rep, "prospect": who,
                           "occurred_at": at(n), "sequence": {"name": "Seq", "step": "1"}})  # fmt: skip
        elif kind == 8:
            events.append({"type": "opt_out", "prospect": who, "occurred_at": at(n)})
        elif kind == 9:
            events.append({"type": "prospect", "user": rep, "prospect": who})
        else:
            # Round 0 opens every fifth activity; round 1 completes them (same ids) beside new ones.
            opens = kind == 0
            ext = f"a{n}" if opens else f"a{round_}-{n}"
            events.append({"type": "activity", "id": ext, "kind": "call", "user": rep, "prospect": who,
                           "state": "open" if opens and round_ == 0 else "completed",
                           "completed_at": at(n), "call": {"duration_seconds": 60}})  # fmt: skip
    return events


@pytest.fixture
def reps():
    owner = MembershipFactory(role=Role.OWNER)
    return owner.workspace, [MembershipFactory(workspace=owner.workspace, role=Role.REP).user for _ in range(3)]


@pytest.mark.parametrize("size", [10, 1000])
def test_queries_do_not_grow_with_the_batch(size, reps, django_assert_max_num_queries,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    workspace, users = reps
    with django_capture_on_commit_callbacks(execute=False):
        with django_assert_max_num_queries(QUERY_BUDGET):
            first = events_ingest(workspace=workspace, events=mixed_batch(size, users, round_=0))
        # The same prospects again (titles changed, opens completed, more enrollments): every read finds rows.
        with django_assert_max_num_queries(QUERY_BUDGET):
            second = events_ingest(workspace=workspace, events=mixed_batch(size, users, round_=1))
    assert len(first.results) == len(second.results) == size
    assert Prospect.objects.count() == max(2, size // 5)
    assert set(Prospect.objects.values_list("title", flat=True)) == {"T1"}
    completions = WritebackJob.objects.filter(action=JobAction.TASK_COMPLETE).count()
    assert completions == 0  # completed opens that never had a Task job get one created instead
    assert Activity.objects.filter(state="open").count() == 0


def test_the_per_event_path_paid_per_event(reps, django_capture_on_commit_callbacks):
    """The regression the budget guards: one event at a time, 100 events cost hundreds of queries."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    workspace, users = reps
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(conn) as old:
        events_ingest_per_event(workspace=workspace, events=mixed_batch(100, users, round_=0))
    assert len(old.captured_queries) > 10 * QUERY_BUDGET


def test_a_failed_write_stores_nothing(reps, monkeypatch, django_capture_on_commit_callbacks):
    """The last table written refuses its rows: the prospects, activities... written before it are gone too."""
    from activities.services import ingest

    workspace, users = reps
    insert = ingest.rows_insert

    def jobs_refused(model, rows, **kwargs):
        if model is WritebackJob:
            raise IntegrityError("jobs refused")
        return insert(model, rows, **kwargs)

    monkeypatch.setattr(ingest, "rows_insert", jobs_refused)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(IntegrityError):
        events_ingest(workspace=workspace, events=mixed_batch(50, users, round_=0))
    assert not Prospect.objects.exists() and not Activity.objects.exists() and not Enrollment.objects.exists()
    assert not OptOut.objects.exists() and not callbacks  # nobody is woken for a batch that was not stored


def test_whole_statements_restores_the_connection():
    before = connection.features.max_query_params
    with whole_statements():
        inside = connection.features.max_query_params
    assert connection.features.max_query_params == before
    if connection.vendor == "sqlite":
        assert inside >= 32766  # a 1,000-event batch's jobs fit one INSERT


# -- the same outcome as one event at a time ---------------------------------------------------------------------
EMAILS = ["ann@example.org", "bob@example.org", "cy@example.org", "dee@example.org", ""]
URLS = ["https://www.linkedin.com/in/ann", "https://www.linkedin.com/in/shared", "https://www.linkedin.com/in/x", ""]


def random_events(rng: random.Random, reps: list, count: int) -> list[dict]:
    events = []
    for _ in range(count):
        email, url = rng.choice(EMAILS), rng.choice(URLS)
        if not email and not url:
            url = URLS[1]
        who = {"email": email, "linkedin_url": url, "first_name": rng.choice(["", "Ann", "Bo"]),
               "title": rng.choice(["", "VP", "CEO"]), "company": {"name": rng.choice(["", "Acme"])}}  # fmt: skip
        rep = rng.choice(reps).email
        kind = rng.choice(["activity"] * 4 + ["enrollment"] * 2 + ["opt_out", "prospect"])
        if kind == "activity":
            state = rng.choice(["open", "completed"])
            event = {"type": "activity", "id": f"x{rng.randint(0, 9)}", "kind": rng.choice(["call", "sms"]),
                     "state": state, "user": rep, "prospect": who, "subject": rng.choice(["", "Hi", "Re"])}  # fmt: skip
            if state == "completed":
                event["completed_at"] = at(rng.randint(0, 50))
        elif kind == "enrollment":
            event = {"type": "enrollment", "event": rng.choice(["enrolled", "enrolled", "step_changed"]),
                     "user": rep, "prospect": who, "occurred_at": at(rng.randint(0, 5)),
                     "sequence": {"name": "Seq", "step": str(rng.randint(1, 3))}}  # fmt: skip
        elif kind == "opt_out":
            event = {"type": "opt_out", "prospect": who, "occurred_at": at(rng.randint(0, 50))}
        else:
            event = {"type": "prospect", "prospect": who, **({"user": rep} if rng.random() < 0.7 else {})}
        events.append(event)
    return events


def dump(workspace) -> dict:
    """Everything a batch stores, with ids replaced by their place in the workspace (both paths insert in order)."""

    def places(model):
        rows = list(model.objects.filter(workspace=workspace).order_by("pk"))
        return rows, {row.pk: n for n, row in enumerate(rows)}

    prospects, p = places(Prospect)
    activities, a = places(Activity)
    enrollments, e = places(Enrollment)
    optouts, o = places(OptOut)
    jobs = WritebackJob.objects.filter(workspace=workspace).select_related("user").order_by("pk")
    return {
        "prospects": [(*(getattr(r, f) for f in PROSPECT_FIELDS), r.salesforce_id) for r in prospects],
        "activities": [
            (r.external_id, p[r.prospect_id], r.user.email, r.state, *(getattr(r, f) for f in ACTIVITY_FIELDS))
            for r in activities
        ],  # fmt: skip
        "enrollments": [(p[r.prospect_id], r.user.email, r.event, r.step_name, r.occurred_at) for r in enrollments],
        "optouts": [(p[r.prospect_id], r.channel, r.occurred_at) for r in optouts],
        "jobs": [
            (
                j.action,
                p[j.prospect_id],
                j.user.email if j.user else None,
                a.get(j.activity_id),
                e.get(j.enrollment_id),
                o.get(j.optout_id),
                j.status,
                j.attempts,
                j.idempotency_key.split(":")[0],
            )
            for j in jobs
        ],  # fmt: skip
        "places": {"prospect": p, "activity": a, "enrollment": e, "opt_out": o},
    }


def answers(results: list[dict], places: dict) -> list[dict]:
    def place(kind, pk):
        return places[kind][pk]

    return [{**r, "id": place(r["type"], r["id"]),
             **({"prospect_id": place("prospect", r["prospect_id"])} if "prospect_id" in r else {})}
            for r in results]  # fmt: skip


def history_twist(workspace) -> None:
    """Stored state the rules read: a prospect already in Salesforce, find-or-create jobs running or paused."""
    Prospect.objects.filter(workspace=workspace, email=EMAILS[2]).update(salesforce_id="003000000000001AAA")
    syncs = WritebackJob.objects.filter(workspace=workspace, action=JobAction.PROSPECT_SYNC).order_by("pk")
    first, second = syncs.first(), syncs.last()
    if first:
        WritebackJob.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING, attempts=1)
    if second and second != first:
        WritebackJob.objects.filter(pk=second.pk).update(status=JobStatus.WAITING_RECONNECT)


@pytest.mark.parametrize("seed", range(40))
def test_the_same_outcome_as_one_event_at_a_time(seed, monkeypatch, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    reps = [MembershipFactory(role=Role.REP).user for _ in range(3)]
    spaces = [WorkspaceFactory(), WorkspaceFactory()]
    for workspace in spaces:
        for user in reps:
            MembershipFactory(workspace=workspace, user=user, role=Role.REP)
        if seed % 2:
            CrmSettings.objects.create(workspace=workspace, log_mode=LogMode.ALL)
    history, batch = random_events(rng, reps, rng.randint(0, 30)), random_events(rng, reps, rng.randint(1, 40))
    woken: list[tuple] = []
    monkeypatch.setattr("activities.services.writeback.enqueue.async_task",
                        lambda name, workspace_id, user_id, **kw: woken.append((workspace_id, user_id)))  # fmt: skip
    outcomes = []
    for workspace, ingest in zip(spaces, (events_ingest_per_event, events_ingest), strict=True):
        with django_capture_on_commit_callbacks(execute=False):
            if history:
                events_ingest_per_event(workspace=workspace, events=history)
        history_twist(workspace)
        woken.clear()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                result = ingest(workspace=workspace, events=batch)
        except IntegrityError as exc:  # a collision the old path also hit (the same events, the same rows)
            outcomes.append(("refused", type(exc).__name__, dump(workspace)["jobs"]))
            continue
        stored = dump(workspace)
        groups = sorted((user_id or 0) for _, user_id in woken)
        outcomes.append((answers(result.results, stored.pop("places")), stored, groups))
    old, new = outcomes
    assert new == old


def test_rows_insert_fills_defaults_and_returns_ids_in_order(reps):
    from activities.models import WritebackAttempt
    from activities.services.bulk import rows_insert

    workspace, users = reps
    prospect = Prospect.objects.create(workspace=workspace, email="rows@example.org")
    ids = rows_insert(WritebackJob, [
        {"workspace_id": workspace.pk, "prospect_id": prospect.pk, "user_id": users[0].pk, "action": "prospect_sync",
         "next_attempt_at": T0, "idempotency_key": f"k{n}", "created_at": None} for n in range(3)
    ])  # fmt: skip
    assert ids == sorted(ids) and len(set(ids)) == 3
    jobs = list(WritebackJob.objects.filter(pk__in=ids).order_by("pk"))
    assert [j.idempotency_key for j in jobs] == ["k0", "k1", "k2"]
    assert jobs[0].status == JobStatus.PENDING and jobs[0].attempts == 0 and jobs[0].claim_token == ""
    assert jobs[0].next_attempt_at == T0 and jobs[0].created_at is not None  # auto_now_add wins over the row
    (attempt,) = rows_insert(WritebackAttempt, [{"job_id": ids[0], "number": 1, "started_at": T0, "outcome": "retry",
                                                  "skipped_fields": [{"field": "X"}]}])  # fmt: skip
    assert WritebackAttempt.objects.get(pk=attempt).skipped_fields == [{"field": "X"}]  # JSON through the field
