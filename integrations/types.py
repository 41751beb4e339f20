from django.db import models


class ProviderSlug(models.TextChoices):
    """Every provider key, used for model choices, registry keys and URLs."""

    SALESFORCE = "salesforce", "Salesforce"
    SALESLOFT = "salesloft", "Salesloft"
    OUTREACH = "outreach", "Outreach"
