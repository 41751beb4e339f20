"""Control API: bulk record loading and dumping, token minting and expiry, lead conversion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox import dml, ids, loader, oauth
from sandbox.clock import sf_datetime
from sandbox.control.common import body_of, org_of, user_of
from sandbox.errors import ControlError, DmlError
from sandbox.http import Request

if TYPE_CHECKING:
    from sandbox.server import SandboxApp


def load_records(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    org = org_of(app, body.get("org"))
    with org.lock:
        user = user_of(org, body.get("created_by"))
        new_ids = loader.load(
            org,
            str(body.get("sobject") or ""),
            records=body.get("records"),
            fields=body.get("fields"),
            rows=body.get("rows"),
            created_by=user,
            now=sf_datetime(app.state.clock.now()),
        )
    result: dict[str, Any] = {"count": len(new_ids)}
    if body.get("return_ids", True):
        result["ids"] = new_ids
    return 201, result


def dump_records(app: SandboxApp, req: Request) -> Any:
    org = org_of(app, req.arg("org"))
    spec = org.spec(req.arg("sobject") or "")
    if spec is None:
        raise ControlError(f"unknown sObject {req.arg('sobject')!r}")
    include_deleted = (req.arg("include_deleted") or "true").lower() == "true"
    with org.lock:
        rows = [dict(r) for r in org.records[spec.name].values() if include_deleted or not r.get("IsDeleted")]
    return {"sobject": spec.name, "count": len(rows), "records": rows}


def mint_token(app: SandboxApp, req: Request) -> Any:
    """Test convenience: an access (and refresh) token for a user without the browser flow."""
    body = body_of(req)
    org = org_of(app, body.get("org"))
    user = user_of(org, body.get("user"))
    if not user.is_active:  # Salesforce lets no inactive user log in; the shortcut must not either
        raise ControlError(f"user {user.username} is inactive")
    scopes = body.get("scope") or "api refresh_token id openid"
    with app.state.lock:
        return oauth.token_response(app, org, user, org.app, str(scopes), with_refresh=True)


def expire_tokens(app: SandboxApp, req: Request) -> Any:
    body = body_of(req)
    state = app.state
    count = 0
    with state.lock:
        org_id = org_of(app, body.get("org")).id if body.get("org") else None
        token = body.get("token")
        for t in state.tokens.values():
            if (token and t.value == token) or (not token and (org_id is None or t.org_id == org_id)):
                t.issued_at = -1e12
                count += 1
        if body.get("refresh_tokens"):
            for g in state.refresh_tokens.values():
                if org_id is None or g.org_id == org_id:
                    g.revoked = True
    return {"expired": count}


def convert_lead(app: SandboxApp, req: Request) -> Any:
    """Emulates Database.convertLead: creates (or reuses) an Account and a Contact, marks the Lead converted."""
    body = body_of(req)
    org = org_of(app, body.get("org"))
    now = sf_datetime(app.state.clock.now())
    with org.lock:
        user = user_of(org, body.get("user"))
        lead_id = str(body.get("lead_id") or "")
        lead = org.records["Lead"].get(ids.normalize(lead_id) or "")
        if lead is None or lead.get("IsDeleted"):
            raise ControlError(f"no live lead {lead_id!r}", status=404)
        if lead.get("IsConverted"):
            raise ControlError("lead is already converted", status=409)
        try:
            account_id = body.get("account_id") or dml.insert(
                org, user, "Account", {"Name": lead.get("Company") or lead.get("LastName")}, now=now
            )
            contact_id = dml.insert(
                org, user, "Contact",
                {k: lead.get(k) for k in ("FirstName", "LastName", "Email", "Phone", "Title") if lead.get(k)}
                | {"AccountId": account_id}, now=now,
            )  # fmt: skip
        except DmlError as exc:
            raise ControlError(f"{exc.error_code}: {exc.message}") from None
        new = dict(lead)
        new.update(
            IsConverted=True, ConvertedDate=now[:10], ConvertedAccountId=account_id, ConvertedContactId=contact_id,
            Status="Closed - Converted", LastModifiedDate=now, LastModifiedById=user.id, SystemModstamp=now,
        )  # fmt: skip
        org.records["Lead"][lead["Id"]] = new
    return {"lead_id": lead["Id"], "account_id": account_id, "contact_id": contact_id}
