from django.urls import include, path

from sync.urls import crm_patterns
from workspaces import views

workspace_patterns = [
    path("", views.workspace_home, name="workspace_home"),
    path("members/", views.member_list_view, name="member_list"),
    path("members/invite/", views.invitation_create, name="invitation_create"),
    path("members/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<int:pk>/", views.membership_edit, name="membership_edit"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("integrations/", include("integrations.urls")),
    path("sync/", include("sync.urls")),
    path("crm/", include(crm_patterns)),
    path("settings/crm/", include("mappings.urls")),
]

urlpatterns = [
    path("", views.root, name="root"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("w/<slug:workspace_slug>/", include(workspace_patterns)),
]
