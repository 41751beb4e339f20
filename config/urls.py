from django.contrib import admin
from django.urls import include, path, re_path

from actions.api import router as actions_router
from activities.api import framework as api_framework
from activities.api.views import router as events_router
from core import views as core_views
from integrations.views.connect import oauth_callback

admin.site.site_header = "Switchboard administration"
admin.site.site_title = "Switchboard admin"

# All of /api/v1 is one django-ninja API; each app brings its router (the only place that knows them all).
api = api_framework.api_build(routers=[("", events_router), ("", actions_router)])

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api_framework.api_urls(api)),
    # Any other /api/ path: the API's JSON 404, also with DEBUG on (which would show Django's HTML page).
    re_path(r"^api(/|$)", api_framework.not_found),
    path("w/<slug:workspace_slug>/activity/", include("activities.urls")),
    path("w/<slug:workspace_slug>/actions/", include("actions.urls")),
    # The one callback URL registered on the External Client App; the OAuth state names the workspace.
    path("integrations/salesforce/callback/", oauth_callback, name="salesforce_oauth_callback"),
    path("", include("workspaces.urls")),
]


def _api_or_page(api_handler, page_handler):
    """API callers get the API's JSON error, people the app-styled page."""

    def handler(request, *args, **kwargs):
        api = request.path_info == "/api" or request.path_info.startswith("/api/")
        return (api_handler if api else page_handler)(request, *args, **kwargs)

    return handler


handler400 = _api_or_page(api_framework.bad_request, core_views.bad_request)
handler403 = "core.views.permission_denied"
handler404 = _api_or_page(api_framework.not_found, core_views.page_not_found)
handler500 = _api_or_page(api_framework.server_error, core_views.server_error)
