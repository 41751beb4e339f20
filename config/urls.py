from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from integrations.views.connect import oauth_callback

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("activities.api.urls")),
    path("w/<slug:workspace_slug>/activity/", include("activities.urls")),
    # The one callback URL registered on the External Client App; the OAuth state names the workspace.
    path("integrations/salesforce/callback/", oauth_callback, name="salesforce_oauth_callback"),
    path("", include("workspaces.urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
