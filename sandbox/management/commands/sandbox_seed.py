"""``python manage.py sandbox_seed --org demo --accounts 1000 --contacts 10000 --leads 5000``.

Fills an org of a running sandbox (``--url``, default http://127.0.0.1:8765) through the control API, or a
state file offline (``--state FILE``). The ``demo`` org is created with its known users when absent.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from sandbox import seed


class Command(BaseCommand):
    help = "Fill a sandbox org with realistic-looking Accounts, Contacts and Leads."

    def add_arguments(self, parser):
        parser.add_argument("--org", default="demo", help="org name or id (default: demo)")
        parser.add_argument("--accounts", type=int, default=100)
        parser.add_argument("--contacts", type=int, default=1000)
        parser.add_argument("--leads", type=int, default=500)
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
        parser.add_argument("--url", default=os.environ.get("SANDBOX_URL", "http://127.0.0.1:8765"))
        parser.add_argument("--state", metavar="FILE", help="seed a state file instead of a running sandbox")
        parser.add_argument("--no-custom-fields", action="store_true", help="create the demo org without sb_ fields")

    def handle(self, *args, **o):
        counts = {"accounts": o["accounts"], "contacts": o["contacts"], "leads": o["leads"]}
        if any(v < 0 for v in counts.values()):
            raise CommandError("counts must be >= 0")
        if o["state"]:
            self._seed_state(o, counts)
        else:
            self._seed_remote(o, counts)

    def _seed_state(self, o, counts):
        from sandbox import loader
        from sandbox.clock import sf_datetime
        from sandbox.state import State

        state = State.load(o["state"]) if os.path.exists(o["state"]) else State()
        org = state.org(o["org"])
        if org is None and o["org"] == seed.DEMO_ORG:
            org = seed.ensure_demo_org(state, custom_fields=not o["no_custom_fields"], accounts=0, contacts=0, leads=0)
        if org is None:
            raise CommandError(f"no org {o['org']!r} in {o['state']}")
        admin = next(u for u in org.users.values() if u.role == "admin")
        now = sf_datetime(state.clock.now())

        def load(sobject, fields, rows):
            return loader.load(org, sobject, fields=fields, rows=rows, created_by=admin, now=now)

        with org.lock:
            seed.seed_org(load, owner_ids=_owners(org.users.values()), seed=o["seed"], **counts)
        state.save(o["state"])
        self.stdout.write(f"seeded {org.name} ({org.id}) in {o['state']}: {counts}")

    def _seed_remote(self, o, counts):
        from sandbox.client import ControlAPIError, ControlClient

        control = ControlClient(o["url"])
        try:
            try:
                org = control.get_org(o["org"])
            except ControlAPIError as exc:
                if exc.status != 404 or o["org"] != seed.DEMO_ORG:
                    raise
                org = control.create_org(name=seed.DEMO_ORG, edition="Enterprise Edition", licenses=25,
                                         users=list(seed.DEMO_USERS), consumer_key=seed.DEMO_CONSUMER_KEY,
                                         consumer_secret=seed.DEMO_CONSUMER_SECRET)  # fmt: skip
                if not o["no_custom_fields"]:
                    for sobject, fields in seed.RECOMMENDED_FIELDS.items():
                        control.add_fields(org.org_id, sobject, fields)
            admin = org.admin_user.id

            def load(sobject, fields, rows):
                return control.load_records(org.org_id, sobject, fields=fields, rows=rows, created_by=admin)

            seed.seed_org(load, owner_ids=[u.id for u in org.users if u.role in ("admin", "rep")], seed=o["seed"],
                          **counts)  # fmt: skip
        except ControlAPIError as exc:
            raise CommandError(f"sandbox at {o['url']}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"cannot reach the sandbox at {o['url']}: {exc}") from None
        self.stdout.write(f"seeded {org.name} ({org.org_id}) at {o['url']}: {counts}")


def _owners(users):
    return [u.id for u in users if u.role in ("admin", "rep")]
