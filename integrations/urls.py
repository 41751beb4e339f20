from django.urls import path

from integrations import views

urlpatterns = [
    path("", views.integration_list, name="integration_list"),
]
