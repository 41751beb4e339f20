from django.urls import path

from integrations.views import audit, checklist, connect, page, settings, team

urlpatterns = [
    path("", page.integration_list, name="integration_list"),
    path("salesforce/connect/admin/", connect.admin_connect, name="integration_admin_connect"),
    path("salesforce/connect/me/", connect.own_connect, name="integration_own_connect"),
    path("salesforce/client-credentials/", settings.client_credentials, name="integration_client_credentials"),
    path("salesforce/app/", settings.oauth_app, name="integration_oauth_app"),
    path("salesforce/connections/<int:pk>/disconnect/", connect.disconnect, name="integration_disconnect"),
    path("salesforce/reminders/", team.remind, name="integration_remind"),
    path("salesforce/checklist/", checklist.checklist, name="integration_checklist"),
    path("audit/", audit.audit_log, name="integration_audit"),
]
