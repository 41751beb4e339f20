from django.urls import path

from mappings.views import objects, settings, tasks

urlpatterns = [
    path("", tasks.task_mappings_index, name="crm_settings"),
    # Task Mappings: tasks/<subtab>/ (call, email, basic, linkedin, sms); an activity kind's old page
    # (tasks/email_sent/ ...) moved permanently to its subtab's section.
    path("tasks/", tasks.task_mappings_index, name="crm_task_mappings_index"),
    path("tasks/<str:kind>/", tasks.task_mappings, name="crm_task_mappings"),
    path("tasks/<str:kind>/preview/", tasks.task_preview, name="crm_task_preview"),
    path("advanced/", settings.advanced, name="crm_advanced"),
    path("history/", settings.history, name="crm_history"),
    path("history/<int:pk>/revert/", settings.change_revert, name="crm_change_revert"),
    path("metadata/refresh/", settings.metadata_refresh, name="crm_metadata_refresh"),
    # The pages before the setup guide's layout: their addresses (bookmarks, fix links of failed writes) moved.
    path("sequence/", objects.moved_sequence_fields, name="crm_sequence_fields"),
    path("opt-out/", objects.moved_opt_out, name="crm_opt_out"),
    path("defaults/", objects.moved_creation_defaults, name="crm_creation_defaults_index"),
    path("defaults/<str:sobject>/", objects.moved_creation_defaults, name="crm_creation_defaults"),
    path("sync/", objects.moved_sync_fields, name="crm_sync_fields_index"),
    path("sync/<str:sobject>/", objects.moved_sync_fields, name="crm_sync_fields"),
    # Contact, Lead and Account Mappings (contact/, lead/, account/), after the fixed names above.
    path("<str:obj>/", objects.object_index, name="crm_object"),
    path("<str:obj>/sequence/", objects.object_sequence, name="crm_object_sequence"),
    path("<str:obj>/defaults/", objects.object_defaults, name="crm_object_defaults"),
    path("<str:obj>/sms/", objects.object_sms, name="crm_object_sms"),
    path("<str:obj>/sync/", objects.object_sync, name="crm_object_sync"),
]
