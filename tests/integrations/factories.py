"""Rows for tests that do not talk to Salesforce. For real connections use the `salesforce_connect` fixture."""

import factory
from django.utils import timezone

from integrations.models import AuthType, Connection, ConnectionKind, Environment, OAuthCredential
from integrations.types import ProviderSlug
from tests.factories import WorkspaceFactory


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    provider = ProviderSlug.SALESFORCE
    kind = ConnectionKind.ADMIN
    user = None
    auth_type = AuthType.OAUTH
    environment = Environment.PRODUCTION
    login_url = "https://login.salesforce.com"
    instance_url = "https://acme.my.salesforce.com"
    org_id = "00D000000000001EAA"
    org_name = "Acme"
    remote_user_id = factory.Sequence(lambda n: f"005000000000{n:03d}AAA")
    remote_username = factory.Sequence(lambda n: f"user{n}@acme.example")
    issued_at = factory.LazyFunction(timezone.now)
    credential = factory.RelatedFactory("tests.integrations.factories.OAuthCredentialFactory", "connection")


class OAuthCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OAuthCredential

    connection = factory.SubFactory(ConnectionFactory, credential=None)
    access_token = factory.Sequence(lambda n: f"00D!access-{n}")
    refresh_token = factory.Sequence(lambda n: f"5Aep-refresh-{n}")
    client_id = "3MVG9-test"
