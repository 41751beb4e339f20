from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Actions"

    def ready(self) -> None:
        # The writeback runner knows no action: it hands the jobs of this kind to us (DESIGN.md: a lower layer
        # offers a hook, the upper one fills it).
        from actions.services.execute import action_jobs_run
        from activities.models import JobAction
        from activities.services.writeback.runner import JOB_RUNNERS

        JOB_RUNNERS[JobAction.ACTION_RUN] = action_jobs_run
