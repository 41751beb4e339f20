from django.urls import path

from activities.api import views

app_name = "activities_api"

urlpatterns = [
    path("events", views.event_create, name="event_create"),
    path("events/batch", views.event_batch, name="event_batch"),
    path("events:batch", views.event_batch),
    path("activities/<int:pk>", views.activity_detail, name="activity_detail"),
]
