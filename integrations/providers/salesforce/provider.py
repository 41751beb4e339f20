from django.conf import settings

from integrations.providers.base import Provider
from integrations.types import ProviderSlug


class SalesforceProvider(Provider):
    slug = ProviderSlug.SALESFORCE.value
    name = "Salesforce"
    description = (
        "Write calls, emails, LinkedIn touches and SMS to Salesforce as Tasks, keep sequence fields current "
        "on Contacts and Leads, and sync CRM fields back for filtering."
    )

    def server_app_credentials(self) -> tuple[str, str] | None:
        if not settings.SALESFORCE_CONSUMER_KEY:
            return None
        return settings.SALESFORCE_CONSUMER_KEY, settings.SALESFORCE_CONSUMER_SECRET
