"""Out-of-process harness for the worker-kill test: `python -m sync.testing <command> <json>`.

Run with DJANGO_SETTINGS_MODULE and DATABASE_URL pointing at a throwaway database. Commands print one JSON line.

- setup {"sandbox_url", "org_id", "sobjects": [...]}: a workspace with an admin connection to the sandbox org,
  syncing only `sobjects`.
- start {"workspace_id"}: start a full sync; it is enqueued on commit for the worker cluster.
- report {"workspace_id"}: the full run and its step checkpoint, and every local record (id, name, deleted).
- resume {"workspace_id"}: wait until the run's heartbeat is stale, check the scheduler would hand it over, and
  execute it inline, as the worker it is handed to would.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _setup(args: dict) -> dict:
    from django_q.models import Schedule

    from integrations.models import Connection, ConnectionKind, OAuthCredential
    from sandbox.client import ControlClient
    from sync.models import SyncObjectConfig
    from sync.schedules import TICK_NAME
    from workspaces.models import Workspace

    control = ControlClient(args["sandbox_url"])
    org = control.get_org(args["org_id"])
    token = control.token(org.org_id)
    workspace = Workspace.objects.create(name="Sync harness", slug="sync-harness")
    connection = Connection.objects.create(
        workspace=workspace, provider="salesforce", kind=ConnectionKind.ADMIN, login_url=org.login_url,
        instance_url=token.get("instance_url") or org.instance_url, org_id=org.org_id[:18],
    )  # fmt: skip
    OAuthCredential.objects.create(
        connection=connection,
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token", ""),
        client_id=org.consumer_key,
        client_secret=org.consumer_secret,
    )
    for position, sobject in enumerate(args.get("sobjects", ["Contact"])):
        SyncObjectConfig.objects.create(workspace=workspace, sobject=sobject, position=position)
    Schedule.objects.filter(name=TICK_NAME).delete()  # the test plays the scheduler (`resume`)
    return {"workspace_id": workspace.pk}


def _start(args: dict) -> dict:
    from sync.services.runs import full_sync_start
    from workspaces.models import Workspace

    run = full_sync_start(workspace=Workspace.objects.get(pk=args["workspace_id"]))
    return {"run_id": run.pk}


def _report(args: dict) -> dict:
    from sync.models import SyncedRecord, SyncRun

    run = SyncRun.objects.filter(workspace_id=args["workspace_id"]).first()
    rows = SyncedRecord.objects.filter(workspace_id=args["workspace_id"]).order_by("pk")
    steps = [
        {"sobject": s.sobject, "status": s.status, "mode": s.mode, "bulk_job_id": s.bulk_job_id,
         "locator": s.locator, "page_offset": s.page_offset, "records_done": s.records_done}
        for s in run.steps.all()
    ] if run else []  # fmt: skip
    return {
        "run": {"id": run.pk, "status": run.status, "records_done": run.records_done} if run else None,
        "steps": steps,
        "records": list(rows.values_list("sobject", "sf_id", "name", "is_deleted")),
    }


def _resume(args: dict) -> dict:
    from sync.models import SyncRun
    from sync.services.runs import run_execute, runs_due_resume

    run = SyncRun.objects.filter(workspace_id=args["workspace_id"]).first()
    deadline = time.monotonic() + args.get("wait_s", 30)
    while run.pk not in runs_due_resume():
        if time.monotonic() > deadline:
            return {"error": "the run never went stale", "status": run.status}
        time.sleep(0.2)
    run = run_execute(run_id=run.pk)
    return {"status": run.status, "error": f"{run.error_code} {run.error_message}".strip()}


COMMANDS = {"setup": _setup, "start": _start, "report": _report, "resume": _resume}


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    command, raw = argv[0], (argv[1] if len(argv) > 1 else "{}")
    print(json.dumps(COMMANDS[command](json.loads(raw)), default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
