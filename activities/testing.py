"""Out-of-process harness for the kill test and the benchmark: `python -m activities.testing <command> <json>`.

Run with DJANGO_SETTINGS_MODULE and DATABASE_URL pointing at a throwaway database. Commands print one JSON line.

- setup {"sandbox_url", "org_id", "reps": n}: a workspace, an admin and n reps, each with a Connection to the
  sandbox org (tokens minted by the sandbox control API, as if they had connected), describes cached.
- ingest {"workspace_id", "events": [...]} or {"workspace_id", "file": path}: events in through the ingest service,
  in batches of 1,000, waking the workers on commit like the API does.
- drain {"later_s": seconds}: one drain run inline, as a worker would, `later_s` in the future (stalled leases).
- report {"workspace_id"}: counts per job status, and per activity its Task id and event-to-CRM seconds.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta


def _setup(args: dict) -> dict:
    from django.contrib.auth import get_user_model

    from integrations.models import Connection, ConnectionKind, ConnectionStatus, OAuthApp, OAuthCredential
    from integrations.services.metadata import describe_get
    from sandbox.client import ControlClient
    from workspaces.models import Membership, Role, Workspace

    control = ControlClient(args["sandbox_url"])
    org = control.get_org(args["org_id"])
    sf_reps = [u for u in org.users if u.role == "rep"]
    workspace = Workspace.objects.create(name="Harness", slug=args.get("slug", "harness"))
    OAuthApp.objects.create(workspace=workspace, provider="salesforce", consumer_key=org.consumer_key,
                            consumer_secret=org.consumer_secret)  # fmt: skip
    User = get_user_model()

    def connect(user, sf_user, kind):
        token = control.token(org.org_id, sf_user.id)
        connection = Connection.objects.create(
            workspace=workspace, provider="salesforce", kind=kind, user=user if kind == "user" else None,
            connected_by=user, login_url=org.login_url, instance_url=token.get("instance_url") or org.instance_url,
            org_id=org.org_id, org_name=org.name, remote_user_id=sf_user.id, remote_username=sf_user.username,
            status=ConnectionStatus.CONNECTED, scopes="api refresh_token",
        )  # fmt: skip
        OAuthCredential.objects.create(
            connection=connection,
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token", ""),
            client_id=org.consumer_key,
        )
        return connection

    admin = User.objects.create_user(email="admin@harness.test", password="x")
    Membership.objects.create(user=admin, workspace=workspace, role=Role.OWNER)
    admin_connection = connect(admin, org.admin_user, ConnectionKind.ADMIN)
    for sobject in ("Task", "Contact", "Lead", "Account"):
        describe_get(connection=admin_connection, sobject=sobject)  # what the admin's settings visit leaves cached
    reps = []
    for n in range(args.get("reps", 2)):
        user = User.objects.create_user(email=f"rep{n}@harness.test", password="x")
        Membership.objects.create(user=user, workspace=workspace, role=Role.REP)
        connect(user, sf_reps[n], ConnectionKind.USER)
        reps.append(user.email)
    from activities.services.keys import api_key_create

    _key, raw_key = api_key_create(workspace=workspace, name="harness", created_by=admin)
    return {"workspace_id": workspace.pk, "reps": reps, "api_key": raw_key}


def _ingest(args: dict) -> dict:
    from activities.services.ingest import events_ingest
    from workspaces.models import Workspace

    workspace = Workspace.objects.get(pk=args["workspace_id"])
    events = args.get("events")
    if events is None:
        with open(args["file"]) as fh:
            events = json.load(fh)
    ids = []
    for start in range(0, len(events), 1000):
        result = events_ingest(workspace=workspace, events=events[start : start + 1000])
        ids += [r["id"] for r in result.results]
    return {"ingested": len(ids)}


def _drain(args: dict) -> dict:
    from django.utils import timezone

    from activities.services.writeback.drain import writeback_drain_due

    now = timezone.now() + timedelta(seconds=args.get("later_s", 0))
    return {"groups": writeback_drain_due(now=now, inline=True)}


def _report(args: dict) -> dict:
    from django.db.models import Count

    from activities.models import Activity, WritebackJob

    jobs = WritebackJob.objects.filter(workspace_id=args["workspace_id"])
    statuses = dict(jobs.values_list("status").annotate(n=Count("id")))
    activities = Activity.objects.filter(workspace_id=args["workspace_id"])
    latencies = [
        (a.written_at - a.received_at).total_seconds() for a in activities.exclude(written_at=None).only(
            "written_at", "received_at")
    ]  # fmt: skip
    first = activities.order_by("received_at").values_list("received_at", flat=True).first()
    last = activities.exclude(written_at=None).order_by("-written_at").values_list("written_at", flat=True).first()
    return {
        "statuses": statuses,
        "activities": activities.count(),
        "written": activities.exclude(salesforce_task_id="").count(),
        "keys": {f"{a.workspace_id}-{a.pk}": a.salesforce_task_id for a in activities},
        "latencies": latencies,
        "span_s": (last - first).total_seconds() if first and last else None,
    }


COMMANDS = {"setup": _setup, "ingest": _ingest, "drain": _drain, "report": _report}


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    command, raw = argv[0], (argv[1] if len(argv) > 1 else "{}")
    args = json.loads(raw)
    print(json.dumps(COMMANDS[command](args), default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
