import pytest

from integrations.registry import NotRegistered, ProviderRegistry, registry
from integrations.types import ProviderSlug


def test_salesforce_is_registered_from_settings():
    provider = registry.get(ProviderSlug.SALESFORCE)
    assert provider.name == "Salesforce"
    assert (ProviderSlug.SALESFORCE.value, "Salesforce") in registry.choices()


def test_unknown_provider_raises_not_registered():
    with pytest.raises(NotRegistered):
        ProviderRegistry().get("nope")
