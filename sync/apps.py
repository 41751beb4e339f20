from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Inbound sync"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sync.schedules import schedules_ensure_after_migrate

        # Creating our django-q2 Schedule rows is idempotent; post_migrate is the one moment the tables surely exist.
        post_migrate.connect(schedules_ensure_after_migrate, sender=self)
