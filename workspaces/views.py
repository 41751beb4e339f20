from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from workspaces import services
from workspaces.forms import InvitationForm, MembershipForm, WorkspaceCreateForm
from workspaces.home import home_summary
from workspaces.middleware import SESSION_KEY
from workspaces.models import MANAGE_CRM_SETTINGS, Invitation, Membership, Role
from workspaces.permissions import require_member_manager
from workspaces.selectors import invitation_list_pending, member_list, membership_get, workspace_list_for_user


@login_required
def root(request):
    """Send the user to the workspace they used last, or to their first one."""
    workspaces = workspace_list_for_user(user=request.user)
    remembered = request.session.get(SESSION_KEY)
    workspace = workspaces.filter(slug=remembered).first() if remembered else None
    workspace = workspace or workspaces.first()
    if workspace is None:
        return redirect("workspace_create")
    return redirect("workspace_home", workspace_slug=workspace.slug)


@login_required
def workspace_create(request):
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
        messages.success(request, f"Workspace “{workspace.name}” created. You are its owner.")
        return redirect("workspace_home", workspace_slug=workspace.slug)
    return render(request, "workspaces/create.html", {"form": form})


def workspace_home(request, workspace_slug):
    summary = home_summary(workspace=request.workspace, user=request.user)
    return render(request, "workspaces/home.html", {"summary": summary})


def member_list_view(request, workspace_slug):
    return render(
        request,
        "workspaces/members.html",
        {
            "members": member_list(workspace=request.workspace),
            "invitations": invitation_list_pending(workspace=request.workspace)
            if request.membership.can_manage_members
            else [],
            "invite_form": InvitationForm(actor_role=request.membership.role),
            "manage_crm_codename": MANAGE_CRM_SETTINGS.split(".")[1],
        },
    )


@require_POST
@require_member_manager
def invitation_create(request, workspace_slug):
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                workspace=request.workspace,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label or field}: {' '.join(errors)}")
    return redirect("member_list", workspace_slug=workspace_slug)


@require_POST
@require_member_manager
def invitation_revoke(request, workspace_slug, pk):
    invitation = get_object_or_404(Invitation, pk=pk, workspace=request.workspace)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("member_list", workspace_slug=workspace_slug)


@require_member_manager
def membership_edit(request, workspace_slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, workspace=request.workspace)
    initial = {
        "role": membership.role,
        "manage_crm_settings": membership.user.has_perm(MANAGE_CRM_SETTINGS, request.workspace),
    }
    form = MembershipForm(
        request.POST or None, initial=initial, actor_role=request.membership.role, current_role=membership.role
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, actor=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("role", exc)
        else:
            messages.success(request, f"Updated {membership.user.email}.")
            return redirect("member_list", workspace_slug=workspace_slug)
    return render(request, "workspaces/membership_edit.html", {"form": form, "member": membership})


@require_POST
@require_member_manager
def membership_remove(request, workspace_slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, workspace=request.workspace)
    try:
        services.membership_remove(membership=membership, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed {membership.user.email} from {request.workspace.name}.")
    return redirect("member_list", workspace_slug=workspace_slug)


def invitation_accept(request, token):
    invitation = services.invitation_get_pending(token=token)
    if invitation is None:
        return render(request, "workspaces/invitation_invalid.html", status=404)
    if request.user.is_authenticated and membership_get(user=request.user, workspace=invitation.workspace):
        messages.info(request, f"You are already a member of {invitation.workspace.name}.")
        return redirect("workspace_home", workspace_slug=invitation.workspace.slug)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Welcome to {invitation.workspace.name}.")
            return redirect("workspace_home", workspace_slug=invitation.workspace.slug)
    return render(request, "workspaces/invitation.html", {"invitation": invitation, "roles": Role})
