"""Where the soak's writes go, one class per provider: the remote side's setup, its faults, the token revoked and
reconnected, and the counts read back from the emulator. The runner knows no provider; Salesloft and Outreach (call
logging) become classes here with the same methods and an entry in DESTINATIONS once their emulators land.

Everything here runs in the driver process, with Django set up on the soak's database.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import requests

from soak.services import log

MARKER_RE = re.compile(r"\[switchboard:(\d+-\d+)\]")  # the marker every Task's Description ends with
SEQUENCE_FIELDS = (("name", "SB_Sequence__c"), ("step", "SB_Step__c"), ("active", "SB_Active__c"))

# The kinds of failure injected, each an equal share of the fault rate. "after" faults let Salesforce commit the
# write and lose the answer (a gateway timeout, a reset connection): only they show whether a retry duplicates.
SALESFORCE_FAULTS = (
    ("unable_to_lock_row", {"status": 400, "error_code": "UNABLE_TO_LOCK_ROW"}),
    ("server_unavailable_503", {"status": 503}),
    ("server_unavailable_503_after_commit", {"status": 503, "phase": "after"}),
    ("connection_dropped", {"action": "drop"}),
    ("connection_dropped_after_commit", {"action": "drop", "phase": "after"}),
    ("rate_limited_429", {"status": 429, "error_code": "REQUEST_LIMIT_EXCEEDED",
                          "message": "ConcurrentPerOrgLongTxn Limit exceeded", "headers": {"Retry-After": "2"}}),
    ("session_expired", {"action": "expire"}),
)  # fmt: skip


def shares(rate: float, kinds: int) -> list[float]:
    """Probabilities for faults tried in order (the first that fires wins) so that each fires on rate/kinds of all
    requests: the i-th only sees the requests the ones before it let through."""
    share = rate / kinds
    return [share / (1 - i * share) for i in range(kinds)]


class Salesforce:
    slug = "salesforce"

    def __init__(self, sandbox_url: str, config):
        from sandbox.client import ControlClient

        self.url = sandbox_url
        self.control = ControlClient(sandbox_url)
        self.config = config
        self.org = None
        self.workspace_id: int | None = None
        self.fault_ids: dict[int, str] = {}
        self.api_used_at_start = 0

    # --- setup --------------------------------------------------------------------------------------------------

    def org_create(self) -> None:
        reps = self.config.reps
        users = [{"username": "admin@soak.sandbox", "first_name": "Ada", "last_name": "Admin",
                  "profile": "System Administrator", "role": "admin"}]  # fmt: skip
        users += [{"username": f"rep{n}@soak.sandbox", "first_name": "Rep", "last_name": str(n), "role": "rep",
                   "email": f"rep{n}@soak.sandbox"} for n in range(reps)]  # fmt: skip
        self.org = self.control.create_org(name="soak", edition="Unlimited Edition", licenses=reps + 10, users=users,
                                           api_limit=50_000_000)  # fmt: skip
        for sobject in ("Contact", "Lead"):
            self.control.add_fields(self.org.org_id, sobject, [
                {"name": "SB_Sequence__c", "type": "string"}, {"name": "SB_Step__c", "type": "string"},
                {"name": "SB_Active__c", "type": "boolean"},
            ])  # fmt: skip

    def existing_contacts(self, prospects: list[dict]) -> None:
        self.control.load_records(self.org.org_id, "Contact", [
            {"FirstName": p["first_name"], "LastName": p["last_name"], "Email": p["email"]} for p in prospects
        ], return_ids=False)  # fmt: skip

    def workspace_setup(self) -> dict:
        """The harness's workspace (activities/testing.py: reps connected with sandbox-minted tokens, describes
        cached, an API key), sequence fields mapped on Contact and Lead, inbound sync every minute."""
        from activities.testing import COMMANDS
        from mappings.models import SequenceFieldMapping
        from sync.services.runs import sync_settings_get
        from workspaces.models import Workspace

        setup = COMMANDS["setup"]({"sandbox_url": self.url, "org_id": self.org.org_id, "reps": self.config.reps,
                                   "slug": "soak"})  # fmt: skip
        workspace = Workspace.objects.get(pk=setup["workspace_id"])
        for sobject in ("Contact", "Lead"):
            for purpose, target in SEQUENCE_FIELDS:
                SequenceFieldMapping.objects.create(workspace=workspace, sobject=sobject, purpose=purpose,
                                                    target_field=target)  # fmt: skip
        settings = sync_settings_get(workspace=workspace)
        settings.interval_minutes = 1  # the tick is once a minute: an incremental run at every tick
        settings.save()
        self.workspace_id = workspace.pk
        self.api_used_at_start = self.api_used()
        return setup

    # --- faults -------------------------------------------------------------------------------------------------

    def faults_install(self, rate: float) -> None:
        if rate <= 0:
            return
        for (kind, spec), probability in zip(SALESFORCE_FAULTS, shares(rate, len(SALESFORCE_FAULTS)), strict=True):
            fault = self.control.fault(path="/services/data/*", probability=probability, org=self.org.org_id, **spec)
            self.fault_ids[fault["id"]] = kind

    def faults_clear(self) -> dict[str, int]:
        hits = self.fault_hits()
        self.control.clear_faults()
        return hits

    def fault_hits(self) -> dict[str, int]:
        return {self.fault_ids[f["id"]]: f["hits"] for f in self.control.faults() if f["id"] in self.fault_ids}

    def api_used(self) -> int:
        return self.control.get_org(self.org.org_id).raw.get("api_used", 0) if self.org else 0

    # --- one rep's token ----------------------------------------------------------------------------------------

    def _rep_connection(self, rep_email: str):
        from integrations.models import Connection, ConnectionKind

        connections = Connection.objects.select_related("user")
        return connections.get(workspace_id=self.workspace_id, kind=ConnectionKind.USER, user__email=rep_email)

    def revoke(self, rep_email: str) -> None:
        """As the rep (or their Salesforce admin) would revoke the app's access: the refresh token and its access
        tokens die; our next call for them gets 401, the refresh invalid_grant."""
        from integrations.models import OAuthCredential

        credential = OAuthCredential.objects.get(connection=self._rep_connection(rep_email))
        resp = requests.post(f"{self.url}/services/oauth2/revoke", data={"token": credential.refresh_token}, timeout=30)
        resp.raise_for_status()
        log(f"revoked {rep_email}'s Salesforce token")

    def reconnect(self, rep_email: str) -> bool:
        """The rep connects again: a token from the sandbox (as the authorize page would give), saved by the same
        service as the OAuth callback, which resumes their paused writes. The probe it makes may meet faults."""
        from integrations.errors import IntegrationError
        from integrations.models import AuthType, Environment
        from integrations.providers.salesforce.oauth import TokenResponse
        from integrations.services.connections import connect_with_tokens

        connection = self._rep_connection(rep_email)
        for attempt in range(20):
            tokens = TokenResponse.from_json(self.control.token(self.org.org_id, connection.remote_user_id))
            try:
                connect_with_tokens(workspace=connection.workspace, kind=connection.kind, user=connection.user,
                                    tokens=tokens, environment=Environment.SANDBOX, login_url=self.org.login_url,
                                    auth_type=AuthType.OAUTH, client_id=self.org.consumer_key)  # fmt: skip
                log(f"{rep_email} reconnected (attempt {attempt + 1})")
                return True
            except IntegrationError as exc:
                log(f"reconnect of {rep_email} failed ({exc.code}: {exc}); trying again")
                time.sleep(1)
        return False

    # --- what the org holds -------------------------------------------------------------------------------------

    def tasks_by_activity(self) -> Counter:
        """Live Tasks per activity key ("<workspace>-<activity pk>"), read from their markers."""
        counts = Counter()
        for task in self.control.records(self.org.org_id, "Task", include_deleted=False):
            for key in MARKER_RE.findall(task.get("Description") or ""):
                counts[key] += 1
        return counts

    def prospects_by_email(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for sobject in ("Contact", "Lead"):
            for row in self.control.records(self.org.org_id, sobject, include_deleted=False):
                if row.get("Email") and not row.get("IsConverted"):
                    found.setdefault(row["Email"].lower(), []).append(row)
        return found


DESTINATIONS = {"salesforce": Salesforce}
