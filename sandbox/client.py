"""A small client for the control API (``/_sandbox/``), used by the test fixtures and ``sandbox_seed``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from sandbox.transport import sandbox_session


class ControlAPIError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass
class SandboxUser:
    id: str
    username: str
    password: str
    profile: str
    role: str
    name: str = ""
    email: str = ""


@dataclass
class SandboxOrg:
    """One org as the control API describes it, plus helpers to get a token or a ready client."""

    org_id: str
    name: str
    login_url: str
    instance_url: str
    consumer_key: str
    consumer_secret: str
    callback_urls: list[str]
    users: list[SandboxUser]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    control: ControlClient | None = field(repr=False, default=None)

    @classmethod
    def from_summary(cls, data: dict[str, Any], control: ControlClient | None = None) -> SandboxOrg:
        users = [
            SandboxUser(id=u["id"], username=u["username"], password=u["password"], profile=u["profile"],
                        role=u["role"], name=u.get("name", ""), email=u.get("email", ""))
            for u in data["users"]
        ]  # fmt: skip
        return cls(
            org_id=data["org_id"], name=data["name"], login_url=data["login_url"], instance_url=data["instance_url"],
            consumer_key=data["consumer_key"], consumer_secret=data["consumer_secret"],
            callback_urls=list(data["callback_urls"]), users=users, raw=data, control=control,
        )  # fmt: skip

    def user(self, key: str) -> SandboxUser:
        """A user by role (``admin``, ``rep``, ``noapi``, ``integration``), username or id."""
        for u in self.users:
            if key in (u.role, u.username, u.id):
                return u
        raise KeyError(f"no user {key!r} in org {self.name}")

    @property
    def admin_user(self) -> SandboxUser:
        return self.user("admin")

    @property
    def rep_user(self) -> SandboxUser:
        return self.user("rep")

    def token(self, user: SandboxUser | str | None = None) -> dict[str, Any]:
        """A token response (access_token, refresh_token, instance_url...) minted by the control API."""
        assert self.control is not None
        who = user.id if isinstance(user, SandboxUser) else user
        return self.control.token(self.org_id, who)

    def rest_session(self, user: SandboxUser | str | None = None) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(user)['access_token']}"
        return session

    def simple_salesforce(self, user: SandboxUser | str | None = None, version: str = "62.0"):
        """A ``simple_salesforce.Salesforce`` pointed at this org (https rewritten to http by the transport)."""
        from simple_salesforce import Salesforce

        return Salesforce(
            instance_url=self.instance_url,
            session_id=self.token(user)["access_token"],
            session=sandbox_session(self.instance_url),
            version=version,
        )


class ControlClient:
    def __init__(self, base_url: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.http.request(method, f"{self.base_url}/_sandbox{path}", timeout=self.timeout, **kwargs)
        try:
            data = resp.json()
        except ValueError:
            raise ControlAPIError(resp.status_code, resp.text[:500]) from None
        if resp.status_code >= 400:
            raise ControlAPIError(resp.status_code, data.get("error", str(data)) if isinstance(data, dict) else data)
        return data

    # orgs and users
    def orgs(self) -> list[SandboxOrg]:
        return [SandboxOrg.from_summary(o, self) for o in self._call("GET", "/")["orgs"]]

    def create_org(self, **kwargs: Any) -> SandboxOrg:
        return SandboxOrg.from_summary(self._call("POST", "/orgs", json=kwargs), self)

    def get_org(self, org: str) -> SandboxOrg:
        return SandboxOrg.from_summary(self._call("GET", f"/orgs/{org}"), self)

    def delete_org(self, org: str) -> None:
        self._call("DELETE", f"/orgs/{org}")

    def settings(self, org: str, **kwargs: Any) -> dict[str, Any]:
        return self._call("POST", f"/orgs/{org}/settings", json=kwargs)

    def add_user(self, org: str, **kwargs: Any) -> dict[str, Any]:
        return self._call("POST", "/users", json={"org": org, **kwargs})

    def update_user(self, user: str, *, org: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change a user by id or username (``is_active``, ``password``, ``profile``); returns the user."""
        body = {"org": org, **changes} if org else changes
        return self._call("PATCH", f"/users/{quote(user, safe='')}", json=body)

    def deactivate_user(self, user: str, *, org: str | None = None) -> dict[str, Any]:
        """Deactivate a user as an admin does in Setup: tokens die, refresh answers invalid_grant, login refuses."""
        return self.update_user(user, org=org, is_active=False)

    # schema and security
    def add_fields(self, org: str, sobject: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/fields", json={"org": org, "sobject": sobject, "fields": fields})

    def add_field(self, org: str, sobject: str, name: str, type: str, **kwargs: Any) -> dict[str, Any]:  # noqa: A002
        return self.add_fields(org, sobject, [{"name": name, "type": type, **kwargs}])

    def delete_fields(self, org: str, sobject: str, names: list[str]) -> dict[str, Any]:
        return self._call("DELETE", "/fields", json={"org": org, "sobject": sobject, "fields": names})

    def set_permissions(
        self,
        org: str,
        profile: str,
        *,
        objects: dict[str, str] | None = None,
        fields: dict[str, str] | None = None,
        api_enabled: bool | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"org": org, "profile": profile, "objects": objects or {}, "fields": fields or {}}
        if api_enabled is not None:
            body["api_enabled"] = api_enabled
        return self._call("POST", "/permissions", json=body)

    def add_validation_rule(
        self, org: str, sobject: str, name: str, condition: dict | list, message: str, *,
        error_field: str | None = None, active: bool = True,
    ) -> dict[str, Any]:  # fmt: skip
        body = {"org": org, "sobject": sobject, "name": name, "condition": condition, "message": message,
                "error_field": error_field, "active": active}  # fmt: skip
        return self._call("POST", "/validation-rules", json=body)

    def validation_rules(self, org: str) -> list[dict[str, Any]]:
        return self._call("GET", "/validation-rules", params={"org": org})["rules"]

    def delete_validation_rules(self, org: str, sobject: str | None = None, name: str | None = None) -> int:
        body = {"org": org, "sobject": sobject, "name": name}
        return self._call("DELETE", "/validation-rules", json=body)["deleted"]

    # faults, latency, log
    def fault(self, **spec: Any) -> dict[str, Any]:
        return self._call("POST", "/faults", json=spec)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def latency(self, ms: int) -> dict[str, Any]:
        return self._call("POST", "/latency", json={"ms": ms})

    def requests(self, org: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("org", org), ("limit", limit)) if v}
        return self._call("GET", "/requests", params=params)["requests"]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # data
    def load_records(
        self,
        org: str,
        sobject: str,
        records: list[dict[str, Any]] | None = None,
        *,
        fields: list[str] | None = None,
        rows: list[list[Any]] | None = None,
        created_by: str | None = None,
        return_ids: bool = True,
    ) -> list[str] | int:
        body: dict[str, Any] = {"org": org, "sobject": sobject, "created_by": created_by, "return_ids": return_ids}
        if records is not None:
            body["records"] = records
        else:
            body.update(fields=fields, rows=rows)
        data = self._call("POST", "/records", json=body)
        return data["ids"] if return_ids else data["count"]

    def records(self, org: str, sobject: str, include_deleted: bool = True) -> list[dict[str, Any]]:
        params = {"org": org, "sobject": sobject, "include_deleted": str(include_deleted).lower()}
        return self._call("GET", "/records", params=params)["records"]

    def convert_lead(self, org: str, lead_id: str, **kwargs: Any) -> dict[str, Any]:
        return self._call("POST", "/leads/convert", json={"org": org, "lead_id": lead_id, **kwargs})

    # tokens, clock, reset
    def token(self, org: str, user: str | None = None, scope: str | None = None) -> dict[str, Any]:
        body = {"org": org, "user": user}
        if scope:
            body["scope"] = scope
        return self._call("POST", "/tokens", json=body)

    def expire_tokens(self, org: str | None = None, token: str | None = None, refresh_tokens: bool = False) -> int:
        body = {"org": org, "token": token, "refresh_tokens": refresh_tokens}
        return self._call("POST", "/tokens/expire", json=body)["expired"]

    def clock(self, *, offset_s: float | None = None, advance_s: float | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("offset_s", offset_s), ("advance_s", advance_s)) if v is not None}
        return self._call("POST", "/clock", json=body)

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/reset")
