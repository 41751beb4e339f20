from django.urls import path

from mappings.views import objects, settings, tasks

urlpatterns = [
    path("", tasks.task_mappings_index, name="crm_settings"),
    path("tasks/", tasks.task_mappings_index, name="crm_task_mappings_index"),
    path("tasks/<str:kind>/", tasks.task_mappings, name="crm_task_mappings"),
    path("tasks/<str:kind>/preview/", tasks.task_preview, name="crm_task_preview"),
    path("sequence/", objects.sequence_fields, name="crm_sequence_fields"),
    path("defaults/", objects.creation_defaults_index, name="crm_creation_defaults_index"),
    path("defaults/<str:sobject>/", objects.creation_defaults, name="crm_creation_defaults"),
    path("opt-out/", objects.opt_out, name="crm_opt_out"),
    path("sync/", objects.sync_fields_index, name="crm_sync_fields_index"),
    path("sync/<str:sobject>/", objects.sync_fields, name="crm_sync_fields"),
    path("advanced/", settings.advanced, name="crm_advanced"),
    path("history/", settings.history, name="crm_history"),
    path("history/<int:pk>/revert/", settings.change_revert, name="crm_change_revert"),
    path("metadata/refresh/", settings.metadata_refresh, name="crm_metadata_refresh"),
]
