"""The stateless description of a provider. Connections (rows) come with the connections issue."""

from __future__ import annotations

from typing import ClassVar


class Provider:
    slug: ClassVar[str]
    """Key from `ProviderSlug`; the registry key and the URL segment."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    kind: ClassVar[str] = "crm"
    """"crm" for systems of record, "engagement" for sales-engagement tools."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"

    def server_app_credentials(self) -> tuple[str, str] | None:
        """(key, secret) of the OAuth app the server's settings configure for this provider, if any."""
        return None
