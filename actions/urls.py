from django.urls import path

from actions import views

urlpatterns = [
    path("", views.action_list_view, name="action_list"),
    path("run/", views.action_run_view, name="action_run"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
]
urlpatterns.append(path("scores/", views.score_settings_view, name="score_settings"))
