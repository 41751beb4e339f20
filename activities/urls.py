from django.urls import path

from activities import views

urlpatterns = [
    path("", views.activity_home, name="activity_home"),
    path("demo/", views.demo_generate, name="activity_demo_generate"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("prospects/<int:pk>/match/", views.prospect_match_choose, name="prospect_match_choose"),
    path("prospects/<int:pk>/match-again/", views.prospect_match_forget, name="prospect_match_forget"),
    path("prospects/<int:pk>/create-new/", views.prospect_match_create_new, name="prospect_match_create_new"),
    path("jobs/<int:pk>/<str:action>/", views.job_action, name="writeback_job_action"),
    path("jobs/failed/<str:action>/", views.jobs_failed_action, name="writeback_failed_action"),
    path("failures/<int:latest_id>/<str:action>/", views.failure_group_action, name="failure_group_action"),
    path("api-keys/", views.api_key_list, name="api_key_list"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
