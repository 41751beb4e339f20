from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Django glue only: the ``sandbox`` and ``sandbox_seed`` management commands. No models."""

    name = "sandbox"
    label = "sandbox"
    verbose_name = "CRM sandbox"
