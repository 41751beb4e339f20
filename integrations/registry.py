"""An explicit provider registry, filled from the `CRM_PROVIDERS` setting at startup.

No import scanning: what loads is exactly the list of dotted paths in settings.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.providers.base import Provider

DEFAULT_PROVIDERS = ("integrations.providers.salesforce.provider.SalesforceProvider",)


class NotRegistered(KeyError):
    pass


class ProviderRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, Provider] = {}

    def register(self, provider_cls: type[Provider]) -> None:
        self._providers[provider_cls.slug] = provider_cls()

    def unregister(self, slug: str) -> None:
        self._providers.pop(slug, None)

    def get(self, slug: str) -> Provider:
        try:
            return self._providers[slug]
        except KeyError:
            raise NotRegistered(slug) from None

    def exists(self, slug: str) -> bool:
        return slug in self._providers

    def all(self) -> list[Provider]:
        return list(self._providers.values())

    def choices(self) -> list[tuple[str, str]]:
        return [(p.slug, p.name) for p in self._providers.values()]


registry = ProviderRegistry()


def load_providers() -> None:
    for path in getattr(settings, "CRM_PROVIDERS", DEFAULT_PROVIDERS):
        registry.register(import_string(path))
