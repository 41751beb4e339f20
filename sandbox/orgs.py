"""Creating orgs, profiles and users (used by the control API, the seeders and the test fixtures)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sandbox import dml
from sandbox.clock import sf_datetime
from sandbox.derived import derive
from sandbox.errors import ControlError
from sandbox.schema.organization import INSTANCE_NAME, NEW_ORG_VALUES
from sandbox.state import EDITIONS, ExternalClientApp, Org, Profile, State, User

DEFAULT_PASSWORD = "sandbox-pass-1"
DEFAULT_CALLBACK_URLS = ("http://127.0.0.1:*/", "http://localhost:*/")
STANDARD_PROFILES = (
    # name, api enabled, default object permissions
    ("System Administrator", True, "crud"),
    ("Standard User", True, "crud"),
    ("Read Only", True, "r"),
    ("No API Access", False, "crud"),
)
DEFAULT_USERS = (
    # local part, first, last, profile, role
    ("admin", "Ada", "Admin", "System Administrator", "admin"),
    ("rep1", "Riley", "Rep", "Standard User", "rep"),
    ("rep2", "Robin", "Rep", "Standard User", "rep"),
    ("noapi", "Nico", "NoApi", "No API Access", "noapi"),
    ("integration", "Integration", "User", "System Administrator", "integration"),
)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "org"


def create_org(
    state: State,
    *,
    name: str,
    edition: str = "Developer Edition",
    licenses: int = 10,
    users: list[dict[str, Any]] | None = None,
    callback_urls: list[str] | None = None,
    session_timeout_s: int | None = None,
    refresh_token_rotation: bool = False,
    require_pkce: bool = False,
    api_limit: int | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    bulk_polls_before_complete: int | None = None,
) -> Org:
    if not isinstance(name, str) or not name.strip():
        raise ControlError("'name' is required")
    if edition not in EDITIONS:
        raise ControlError(f"unknown edition {edition!r}; one of {sorted(EDITIONS)}")
    with state.lock:
        if state.org(name) is not None:
            raise ControlError(f"an org named {name!r} already exists", status=409)
        app = ExternalClientApp(
            consumer_key=consumer_key or "3MVG9" + state.new_secret(30).replace("-", "A").replace("_", "b"),
            consumer_secret=consumer_secret or state.new_secret(32),
            callback_urls=list(callback_urls or DEFAULT_CALLBACK_URLS),
            require_pkce=require_pkce,
        )
        org = Org(
            org_id=state.ids.new("00D"),
            name=name,
            edition=edition,
            licenses=int(licenses),
            created_at=state.clock.time(),
            app=app,
            id_factory=state.ids,
        )
        if session_timeout_s:
            org.session_timeout_s = int(session_timeout_s)
        org.refresh_token_rotation = bool(refresh_token_rotation)
        if api_limit:
            org.api_limit = int(api_limit)
        if bulk_polls_before_complete is not None:
            org.bulk_polls_before_complete = bulk_polls_setting(bulk_polls_before_complete)
        for pname, api_enabled, perms in STANDARD_PROFILES:
            profile = Profile(id=state.ids.new("00e"), name=pname, api_enabled=api_enabled, default_object_perms=perms)
            org.profiles[profile.id] = profile
        state.orgs[org.id] = org
    with org.lock:
        specs = users if users is not None else [
            {"username": f"{local}@{slug(name)}.sandbox", "first_name": first, "last_name": last,
             "profile": profile, "role": role}
            for local, first, last, profile, role in DEFAULT_USERS
        ]  # fmt: skip
        for spec in specs:
            add_user(state, org, **spec)
        integration = next((u for u in org.users.values() if u.role == "integration"), None)
        admin = next((u for u in org.users.values() if u.role == "admin"), None)
        run_as = integration or admin
        app.client_credentials_user_id = run_as.id if run_as else None
        organization_row_write(state, org)
    return org


def bulk_polls_setting(value: object) -> int:
    """How many status polls a Bulk query job answers InProgress (0: complete at creation)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ControlError("'bulk_polls_before_complete' must be a whole number from 0 to 100")
    return value


def organization_row_write(state: State, org: Org) -> dict[str, Any]:
    """(Re)write the org's one Organization row from the org's own facts (name, edition); Id is the org id."""
    now = sf_datetime(state.clock.now())
    existing = org.records["Organization"].get(org.id)
    row = existing or dml.defaults_template(org, org.schema["Organization"])
    if existing is None:
        admin = next((u for u in org.users.values() if u.role == "admin"), None)
        creator = admin.id if admin else None
        row.update(NEW_ORG_VALUES)
        row.update(
            Id=org.id, PrimaryContact=admin.name if admin else None, InstanceName=INSTANCE_NAME, IsSandbox=False,
            CreatedDate=now, CreatedById=creator, LastModifiedById=creator,
        )  # fmt: skip
    row.update(Name=org.name, OrganizationType=org.edition, LastModifiedDate=now, SystemModstamp=now)
    org.records["Organization"][org.id] = row
    return row


def add_user(
    state: State,
    org: Org,
    *,
    username: str,
    password: str = DEFAULT_PASSWORD,
    first_name: str = "Sandbox",
    last_name: str = "User",
    email: str | None = None,
    profile: str = "Standard User",
    role: str = "rep",
    is_active: bool = True,
) -> User:
    if not isinstance(username, str) or "@" not in username:
        raise ControlError("'username' must look like an email address")
    prof = org.profile_named(profile)
    if prof is None:
        raise ControlError(f"unknown profile {profile!r}; one of {[p.name for p in org.profiles.values()]}")
    for other in state.orgs.values():
        if other.user_by_username(username) is not None:
            raise ControlError(f"username {username!r} is taken (usernames are unique across orgs)", status=409)
    user = User(
        id=state.ids.new("005"),
        username=username,
        password=str(password),
        first_name=str(first_name),
        last_name=str(last_name),
        email=email or username,
        profile_id=prof.id,
        is_active=bool(is_active),
        role=role,
    )
    org.users[user.id] = user
    now = sf_datetime(state.clock.now())
    row = dml.defaults_template(org, org.schema["User"])
    row.update(
        Id=user.id, Username=user.username, FirstName=user.first_name, LastName=user.last_name,
        Email=user.email, IsActive=user.is_active, ProfileId=prof.id, Alias=(user.first_name[:1] + user.last_name)[:8],
        CommunityNickname=user.username.split("@")[0], TimeZoneSidKey="America/Los_Angeles", LocaleSidKey="en_US",
        EmailEncodingKey="UTF-8", LanguageLocaleKey="en_US", IsDeleted=False, CreatedDate=now,
        CreatedById=user.id, LastModifiedDate=now, LastModifiedById=user.id, SystemModstamp=now,
    )  # fmt: skip
    derive(org, "User", row, now)
    org.records["User"][user.id] = row
    return user


def user_update(state: State, org: Org, user: User, **changes: Any) -> User:
    """Change a user after creation (``is_active``, ``password``, ``profile``), as an admin does in Setup > Users.

    Deactivating ends the user's sessions like Salesforce: access tokens stop working (401 INVALID_SESSION_ID) and
    stay dead after a reactivation; refresh tokens answer ``invalid_grant`` "inactive user" while the user is
    inactive; the login page refuses the user.
    """
    allowed = {"is_active", "password", "profile"}
    if not changes or set(changes) - allowed:
        raise ControlError(f"give at least one of {sorted(allowed)}; unknown keys {sorted(set(changes) - allowed)}")
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        raise ControlError("'is_active' must be true or false")
    if "password" in changes and (not isinstance(changes["password"], str) or not changes["password"]):
        raise ControlError("'password' must be a non-empty string")
    profile = None
    if "profile" in changes:
        profile = org.profile_named(str(changes["profile"]))
        if profile is None:
            names = [p.name for p in org.profiles.values()]
            raise ControlError(f"unknown profile {changes['profile']!r}; one of {names}")
    row = org.records["User"][user.id]
    if "is_active" in changes:
        if user.is_active and not changes["is_active"]:
            # A C-level copy, without state.lock: callers hold org.lock, and lock order is state before org.
            for token in list(state.tokens.values()):
                if token.user_id == user.id:
                    token.revoked = True
        user.is_active = changes["is_active"]
        row["IsActive"] = user.is_active
    if "password" in changes:
        user.password = changes["password"]
    if profile is not None:
        user.profile_id = profile.id
        row["ProfileId"] = profile.id
        org.version += 1  # field-level security follows the profile: describes change
    now = sf_datetime(state.clock.now())
    row.update(LastModifiedDate=now, SystemModstamp=now)
    return user


def user_summary(org: Org, user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "password": user.password,
        "name": user.name,
        "email": user.email,
        "profile": org.profiles[user.profile_id].name,
        "role": user.role,
        "is_active": user.is_active,
    }


def org_summary(org: Org, base_url: str, now_s: float) -> dict[str, Any]:
    return {
        "name": org.name,
        "org_id": org.id,
        "edition": org.edition,
        "login_url": base_url,
        "instance_url": base_url,
        "consumer_key": org.app.consumer_key,
        "consumer_secret": org.app.consumer_secret,
        "callback_urls": list(org.app.callback_urls),
        "require_pkce": org.app.require_pkce,
        "client_credentials_user_id": org.app.client_credentials_user_id,
        "session_timeout_s": org.session_timeout_s,
        "refresh_token_rotation": org.refresh_token_rotation,
        "api_limit": org.api_limit,
        "api_used": org.api_used(now_s),
        "bulk_polls_before_complete": org.bulk_polls_before_complete,
        "users": [user_summary(org, u) for u in org.users.values()],
        "profiles": [p.as_dict() for p in org.profiles.values()],
        "objects": {name: len(rows) for name, rows in org.records.items()},
    }


def deleted_log_start_set(org: Org, start: dt.datetime) -> int:
    """Start the org's deleted-records log at `start`: rows deleted before it are purged (gone from queryAll, Bulk
    queryAll and getDeleted), as when Salesforce empties the recycle bin. Returns how many rows were purged."""
    cutoff = sf_datetime(start)
    purged = 0
    for sobject, deleted in org.deleted_at.items():
        rows = org.records.get(sobject, {})
        for rid in [rid for rid, when in deleted.items() if when < cutoff and rows.get(rid, {}).get("IsDeleted")]:
            rows.pop(rid, None)
            deleted.pop(rid)
            purged += 1
    org.deleted_log_start = start.timestamp()
    return purged
