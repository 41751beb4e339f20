from __future__ import annotations

from django.db.models import QuerySet

from workspaces.models import ROLE_DEFAULT_PERMISSIONS, Invitation, Membership, Workspace


def workspace_list_for_user(*, user) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def membership_get(*, user, workspace: Workspace | None = None, slug: str | None = None) -> Membership | None:
    """The user's membership of a workspace, or None: callers answer 404, never another workspace's data."""
    if user is None or not user.is_authenticated:
        return None
    filters = {"workspace": workspace} if workspace is not None else {"workspace__slug": slug}
    return Membership.objects.select_related("workspace").filter(user=user, **filters).first()


def membership_permissions(*, user, workspace: Workspace) -> frozenset[str]:
    # Cached on the user object for the request: templates ask this many times per page.
    cache = user.__dict__.setdefault("_workspace_perm_cache", {})
    if workspace.pk not in cache:
        membership = (
            Membership.objects.filter(user=user, workspace=workspace).prefetch_related("granted_permissions").first()
        )
        if membership is None:
            cache[workspace.pk] = frozenset()
        else:
            granted = {p.codename for p in membership.granted_permissions.all()}
            cache[workspace.pk] = ROLE_DEFAULT_PERMISSIONS[membership.role] | granted
    return cache[workspace.pk]


def member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related("granted_permissions")
        .order_by("user__email")
    )


def invitation_list_pending(*, workspace: Workspace) -> list[Invitation]:
    open_invitations = Invitation.objects.filter(workspace=workspace, accepted_at=None, revoked_at=None)
    return [invitation for invitation in open_invitations if invitation.is_pending]
