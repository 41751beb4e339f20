"""In-memory state of the emulated orgs: users, profiles, the External Client App, records, tokens, usage.

Nothing here knows about HTTP. One ``State`` per server; each ``Org`` carries its own lock, which every
reader and writer of that org's records takes (the server is threaded).
"""

from __future__ import annotations

import collections
import os
import pickle  # noqa: S403  (state files are written and read by the sandbox itself)
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox import ids
from sandbox.clock import Clock
from sandbox.schema import STANDARD_OBJECTS, SObjectSpec

API_VERSIONS = tuple(f"{v}.0" for v in range(31, 68))  # Summer '14 (oldest still served) to Summer '26 (reference §2.1)
DEFAULT_API_VERSION = "62.0"
EDITIONS = {
    # edition: (base daily API requests, per-license add-on)
    "Developer Edition": (15_000, 0),
    "Enterprise Edition": (100_000, 1_000),
    "Unlimited Edition": (100_000, 5_000),
    "Performance Edition": (100_000, 5_000),
    "Professional Edition": (100_000, 1_000),
}
DEFAULT_SESSION_TIMEOUT_S = 2 * 3600
DEFAULT_BULK_POLLS_BEFORE_COMPLETE = 1  # status polls a Bulk query job answers InProgress before JobComplete
FIELD_ACCESS = ("edit", "read", "hidden")


@dataclass
class Profile:
    """Object permissions (letters ``crud`` per sObject) and field-level security (``edit``/``read``/``hidden``)."""

    id: str
    name: str
    api_enabled: bool = True
    default_object_perms: str = "crud"
    objects: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # "Contact.Email" -> "read"

    def object_perms(self, sobject: str) -> str:
        return self.objects.get(sobject, self.default_object_perms)

    def field_access(self, sobject: str, name: str) -> str:
        return self.fields.get(f"{sobject}.{name}", "edit")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "api_enabled": self.api_enabled,
            "objects": dict(self.objects),
            "fields": dict(self.fields),
        }


@dataclass
class User:
    id: str
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    profile_id: str
    is_active: bool = True
    role: str = "rep"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ExternalClientApp:
    consumer_key: str
    consumer_secret: str
    callback_urls: list[str]
    client_credentials_user_id: str | None = None
    require_pkce: bool = False
    scopes: str = "api refresh_token id openid"

    def redirect_allowed(self, uri: str) -> bool:
        """Exact match, or a registered prefix ending in ``*``/``*/`` (``http://127.0.0.1:*/``: any port)."""
        for allowed in self.callback_urls:
            if uri == allowed:
                return True
            if "*" in allowed:
                head, _, tail = allowed.partition("*")
                if not uri.startswith(head):
                    continue
                rest = uri[len(head) :]
                port, sep, path = rest.partition("/")
                if port.isdigit() and (tail in ("", "/") and sep or tail == ""):
                    return True
        return False


class ApiCounter:
    """Rolling 24-hour API request count, in one-minute buckets."""

    def __init__(self) -> None:
        self.buckets: collections.deque[list[int]] = collections.deque()
        self.total = 0

    def _evict(self, minute: int) -> None:
        while self.buckets and self.buckets[0][0] <= minute - 1440:
            self.total -= self.buckets.popleft()[1]

    def used(self, now_s: float) -> int:
        self._evict(int(now_s // 60))
        return self.total

    def add(self, n: int, now_s: float) -> None:
        minute = int(now_s // 60)
        self._evict(minute)
        if self.buckets and self.buckets[-1][0] == minute:
            self.buckets[-1][1] += n
        else:
            self.buckets.append([minute, n])
        self.total += n

    def set(self, value: int, now_s: float) -> None:
        self.buckets.clear()
        self.total = 0
        if value:
            self.add(value, now_s)


@dataclass
class Token:
    value: str
    org_id: str
    user_id: str
    issued_at: float
    scopes: str
    client_id: str
    refresh_token: str | None = None
    revoked: bool = False


@dataclass
class RefreshGrant:
    value: str
    org_id: str
    user_id: str
    scopes: str
    client_id: str
    revoked: bool = False


@dataclass
class AuthCode:
    value: str
    org_id: str
    user_id: str
    client_id: str
    redirect_uri: str
    scopes: str
    code_challenge: str | None
    code_challenge_method: str | None
    issued_at: float
    used: bool = False


class Org:
    """One emulated org. Records: ``records[sobject][id] -> row`` (sparse dict keyed by canonical field names)."""

    def __init__(
        self,
        *,
        org_id: str,
        name: str,
        edition: str,
        licenses: int,
        created_at: float,
        app: ExternalClientApp,
        id_factory: ids.IdFactory,
    ) -> None:
        self.id = org_id
        self.name = name
        self.edition = edition
        self.licenses = licenses
        base, per_license = EDITIONS[edition]
        self.api_limit = base + per_license * licenses
        self.session_timeout_s = DEFAULT_SESSION_TIMEOUT_S
        self.refresh_token_rotation = False
        self.api_enabled = True
        self.bulk_polls_before_complete = DEFAULT_BULK_POLLS_BEFORE_COMPLETE
        self.created_at = created_at
        self.deleted_log_start: float | None = None  # getDeleted's log start when set (control API); else created_at
        self.app = app
        self.users: dict[str, User] = {}
        self.profiles: dict[str, Profile] = {}
        self.schema: dict[str, SObjectSpec] = dict(STANDARD_OBJECTS)
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.schema}
        self.deleted_at: dict[str, dict[str, str]] = {name: {} for name in self.schema}
        self.ext_index: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.cursors: collections.OrderedDict[str, Any] = collections.OrderedDict()
        self.bulk_jobs: dict[str, Any] = {}
        self.ingest_jobs: dict[str, Any] = {}  # Bulk API 2.0 ingest jobs (rest.ingest)
        self.list_views: dict[str, list[Any]] = {}  # sobject -> its list views (rest.listviews), made on first use
        self.validation_rules: list[dict[str, Any]] = []  # sandbox.validation: checked by every insert and update
        self.api = ApiCounter()
        self.version = 0  # bumped when schema or permissions change (describe cache key)
        self.schema_modified = created_at  # for If-Modified-Since on describe
        self.case_number = 1000
        self.consents: set[tuple[str, str]] = set()  # (user id, consumer key) approved
        self.ids = id_factory
        self.lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["lock"]
        del state["ids"]  # re-attached by State.__setstate__
        state["cursors"] = collections.OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("bulk_polls_before_complete", DEFAULT_BULK_POLLS_BEFORE_COMPLETE)  # state files before it
        state.setdefault("list_views", {})
        state.setdefault("ingest_jobs", {})
        self.__dict__.update(state)
        self.lock = threading.RLock()

    # --- people and permissions ---------------------------------------------------------------

    def profile_of(self, user: User) -> Profile:
        return self.profiles[user.profile_id]

    def profile_named(self, name_or_id: str) -> Profile | None:
        for p in self.profiles.values():
            if name_or_id in (p.id, p.name):
                return p
        return None

    def user_by_username(self, username: str) -> User | None:
        username = username.lower()
        for u in self.users.values():
            if u.username.lower() == username:
                return u
        return None

    def touch(self) -> None:
        self.version += 1

    # --- schema ---------------------------------------------------------------------------------

    def spec(self, sobject: str) -> SObjectSpec | None:
        spec = self.schema.get(sobject)
        if spec is not None:
            return spec
        lowered = sobject.lower()
        for name, candidate in self.schema.items():
            if name.lower() == lowered:
                return candidate
        return None

    def find_record(self, record_id: str) -> tuple[str, dict[str, Any]] | None:
        """(sObject, row) for an 18-char id in any emulated object, deleted rows included."""
        sobject = ids.sobject_for(record_id)
        if sobject is not None and sobject in self.records:
            row = self.records[sobject].get(record_id)
            if row is not None:
                return sobject, row
        for name, rows in self.records.items():
            spec = self.schema[name]
            if spec.key_prefix == record_id[:3]:
                row = rows.get(record_id)
                if row is not None:
                    return name, row
        return None

    # --- API usage ------------------------------------------------------------------------------

    def api_used(self, now_s: float) -> int:
        return self.api.used(now_s)


class State:
    """All orgs plus the OAuth artefacts (which are global, like Salesforce's login service)."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.ids = ids.IdFactory()
        self.orgs: dict[str, Org] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.codes: dict[str, AuthCode] = {}
        self.browser_sessions: dict[str, tuple[str, str]] = {}  # sid cookie -> (org id, user id)
        self.lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["lock"]
        state["ids"] = self.ids.state()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        counters = state.pop("ids")
        self.__dict__.update(state)
        self.ids = ids.IdFactory()
        self.ids.restore(counters)
        self.lock = threading.RLock()
        for org in self.orgs.values():
            org.ids = self.ids

    def org(self, key: str) -> Org | None:
        """Find an org by id (15 or 18 chars) or by name."""
        org = self.orgs.get(key)
        if org is not None:
            return org
        normal = ids.normalize(key)
        if normal and normal in self.orgs:
            return self.orgs[normal]
        for candidate in self.orgs.values():
            if candidate.name == key:
                return candidate
        return None

    def new_secret(self, nbytes: int = 24) -> str:
        return secrets.token_urlsafe(nbytes)

    def save(self, path: str) -> None:
        tmp = f"{path}.tmp"
        with self.lock, open(tmp, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    @staticmethod
    def load(path: str) -> State:
        with open(path, "rb") as fh:
            state = pickle.load(fh)  # noqa: S301  (our own state file)
        if not isinstance(state, State):
            raise ValueError(f"{path} is not a sandbox state file")
        state.add_missing_standard_objects()
        return state

    def add_missing_standard_objects(self) -> None:
        """Give orgs saved by an older sandbox the standard objects added since (e.g. Organization)."""
        from sandbox.orgs import organization_row_write  # orgs builds on this module

        for org in self.orgs.values():
            for name, spec in STANDARD_OBJECTS.items():
                if name not in org.schema:
                    org.schema[name] = spec
                    org.records.setdefault(name, {})
                    org.deleted_at.setdefault(name, {})
            if org.id not in org.records["Organization"]:
                organization_row_write(self, org)
