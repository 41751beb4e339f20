from __future__ import annotations

from integrations.models import Connection, ConnectionKind
from integrations.types import ProviderSlug


def connection_get_admin(*, workspace, provider: str = ProviderSlug.SALESFORCE) -> Connection | None:
    return Connection.objects.filter(workspace=workspace, provider=provider, kind=ConnectionKind.ADMIN).first()


def connection_get_for_user(*, workspace, user, provider: str = ProviderSlug.SALESFORCE) -> Connection | None:
    return Connection.objects.filter(
        workspace=workspace, provider=provider, kind=ConnectionKind.USER, user=user
    ).first()
