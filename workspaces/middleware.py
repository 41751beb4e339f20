"""Scope every `/w/<workspace_slug>/...` view to a workspace the signed-in user belongs to."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from workspaces.selectors import membership_get

SESSION_KEY = "current_workspace_slug"


class WorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.workspace = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("workspace_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_get(user=request.user, slug=slug)
        if membership is None:
            # Same answer whether the workspace exists or not: no probing for other teams.
            raise Http404("No such workspace.")
        request.membership = membership
        request.workspace = membership.workspace
        request.session[SESSION_KEY] = slug
        return None
