from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django_q.signals import pre_execute

        from core import checks  # noqa: F401  (registers the deploy checks)
        from core.schedules import schedules_ensure_after_migrate
        from core.services import worker_heartbeat_on_task_start

        # Creating our django-q2 Schedule rows is idempotent; post_migrate is the one moment the tables surely exist.
        post_migrate.connect(schedules_ensure_after_migrate, sender=self)
        # Every task a worker starts counts as a heartbeat, so a long backlog never reads as a stalled cluster.
        pre_execute.connect(worker_heartbeat_on_task_start, dispatch_uid="core.worker_heartbeat")
