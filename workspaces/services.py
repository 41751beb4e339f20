from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from workspaces.models import Invitation, Membership, Role, Workspace

INVITATION_LIFETIME = timedelta(days=7)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(*, name: str, owner, slug: str | None = None) -> Workspace:
    workspace = Workspace.objects.create(name=name.strip(), slug=slug or _unique_slug(name))
    Membership.objects.create(user=owner, workspace=workspace, role=Role.OWNER)
    return workspace


def _manage_crm_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="workspaces", codename="manage_crm_settings")


def membership_add(*, workspace: Workspace, user, role: str = Role.REP) -> Membership:
    membership, _ = Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": role})
    return membership


# Higher number, more power. Used only to refuse self-promotion; who may touch the Owner role is spelled out below.
_ROLE_RANK = {Role.REP: 0, Role.ADMIN: 1, Role.OWNER: 2}


def _ensure_may_manage(actor: Membership | None, workspace: Workspace) -> None:
    if actor is None or actor.workspace_id != workspace.pk or not actor.can_manage_members:
        raise ValidationError("Only workspace owners and admins can manage members.")


def _ensure_may_assign(
    *, actor: Membership | None, workspace: Workspace, target: Membership | None, role: str | None
) -> None:
    """The rules that keep an admin from taking a workspace over: the Owner role is granted, changed and removed
    only by owners, and nobody raises their own role (an owner who wants a co-owner invites or promotes them)."""
    _ensure_may_manage(actor, workspace)
    touches_owner = role == Role.OWNER or (target is not None and target.role == Role.OWNER)
    if touches_owner and actor.role != Role.OWNER:
        raise ValidationError("Only an owner can make someone an owner, or change or remove an owner.")
    raises_self = target is not None and target.pk == actor.pk and role is not None
    if raises_self and _ROLE_RANK[role] > _ROLE_RANK[target.role]:
        raise ValidationError("You cannot raise your own role: ask an owner to do it.")


@transaction.atomic
def membership_update(*, membership: Membership, role: str, manage_crm_settings: bool, actor: Membership) -> Membership:
    """Change a member's role and grant. `actor` is the membership of whoever asks; the rules are checked here so
    no other caller (admin action, script, a future API) can skip them."""
    _ensure_may_assign(actor=actor, workspace=membership.workspace, target=membership, role=role)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    permission = _manage_crm_permission()
    # A grant only matters where the role lacks the permission; keep the table tidy either way.
    if manage_crm_settings and role == Role.REP:
        membership.granted_permissions.add(permission)
    else:
        membership.granted_permissions.remove(permission)
    return membership


def _ensure_another_owner(membership: Membership) -> None:
    # Lock the owners' rows: two owners demoting each other at once must not both succeed and leave none.
    owners = Membership.objects.select_for_update().filter(workspace=membership.workspace, role=Role.OWNER)
    if not [m for m in owners if m.pk != membership.pk]:
        raise ValidationError("A workspace needs at least one owner: make someone else an owner first.")


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Membership) -> None:
    _ensure_may_assign(actor=actor, workspace=membership.workspace, target=membership, role=None)
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    membership.delete()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, workspace: Workspace, email: str, role: str, invited_by, base_url: str) -> Invitation:
    email = email.strip().lower()
    actor = Membership.objects.filter(workspace=workspace, user=invited_by).first() if invited_by else None
    _ensure_may_assign(actor=actor, workspace=workspace, target=None, role=role)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {workspace.name}.")
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(workspace=workspace, email=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=_hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = base_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    transaction.on_commit(lambda: _send_invitation_email(invitation=invitation, link=link))
    return invitation


def _send_invitation_email(*, invitation: Invitation, link: str) -> None:
    inviter = invitation.invited_by.display_name if invitation.invited_by else "A teammate"
    send_mail(
        subject=f"{inviter} invited you to {invitation.workspace.name} on Switchboard",
        message=(
            f"{inviter} invited you to join {invitation.workspace.name} on Switchboard as "
            f"{invitation.get_role_display()}.\n\nAccept the invitation: {link}\n\n"
            f"The link expires on {invitation.expires_at:%Y-%m-%d}."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def invitation_get_pending(*, token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(token_hash=_hash_token(token))
    invitation = invitation.first()
    return invitation if invitation is not None and invitation.is_pending else None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and sign in (or sign up) with the invited address."
        )
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_pending:
        raise ValidationError("This invitation has already been used or has expired.")
    if (
        locked.role == Role.OWNER
        and not Membership.objects.filter(
            workspace=locked.workspace, user_id=locked.invited_by_id, role=Role.OWNER
        ).exists()
    ):
        # Sent by someone who is not (or no longer) an owner, e.g. an admin before owners alone could invite owners.
        raise ValidationError(
            "This invitation would make you an owner, but whoever sent it is not an owner of the workspace. "
            "Ask an owner to invite you again."
        )
    membership = membership_add(workspace=locked.workspace, user=user, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
