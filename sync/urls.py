from django.urls import path

from sync import views

urlpatterns = [
    path("", views.sync_health_view, name="sync_health"),
    path("full/", views.full_sync_start_view, name="sync_full_start"),
    path("runs/<int:pk>/progress/", views.run_progress_view, name="sync_run_progress"),
    path("runs/<int:pk>/cancel/", views.run_cancel_view, name="sync_run_cancel"),
    path("objects/<str:sobject>/scope/", views.sync_scope_view, name="sync_scope"),
]

crm_patterns = [
    path(f"{key}/", views.record_list_view, {"page_key": key}, name=f"crm_{key}") for key in views.RECORD_PAGES
]
