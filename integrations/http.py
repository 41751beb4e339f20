"""One HTTP client base: a pooled session, a timeout on every call, transport failures mapped to our errors."""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from integrations.errors import RetryLater

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 60.0)
"""(connect, read) seconds. Salesforce lets non-query calls run for minutes; 60 s read covers our calls."""


class LocalAddressRefused(requests.ConnectionError):
    """The host resolves to this machine or a private network, which production never calls."""


def _public(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the connection fails on its own, as for any unreachable host
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos)


class PublicAddressAdapter(HTTPAdapter):
    """Refuses hosts that resolve to loopback, link-local or private addresses when HTTP_ALLOW_LOCAL_ADDRESSES is
    off (production settings; on elsewhere, where the sandbox listens on loopback). The refusal looks like any
    unreachable host, so an error message never tells whether something listens there."""

    def send(self, request, *args, **kwargs):
        host = urlsplit(request.url).hostname or ""
        if not getattr(settings, "HTTP_ALLOW_LOCAL_ADDRESSES", True) and not _public(host):
            raise LocalAddressRefused(f"{host} is not a public address", request=request)
        return super().send(request, *args, **kwargs)


def new_session(pool_size: int = 10) -> requests.Session:
    session = requests.Session()
    adapter = PublicAddressAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "Switchboard/1.0"
    return session


class BaseApiClient:
    """Subclasses set `integration_name`, implement `base_url()` and `finalize_request()` (auth headers),
    and map HTTP error responses in `raise_for_response()`."""

    integration_name: ClassVar[str] = "api"
    timeout: ClassVar[tuple[float, float]] = DEFAULT_TIMEOUT

    def __init__(self, *, session: requests.Session | None = None):
        self.session = session or new_session()

    def base_url(self) -> str:
        raise NotImplementedError

    def finalize_request(self, headers: dict[str, str]) -> dict[str, str]:
        return headers

    def raise_for_response(self, response: requests.Response) -> None:
        raise NotImplementedError

    def on_response(self, response: requests.Response) -> None:
        """Hook for bookkeeping every response (usage headers and the like)."""

    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.base_url() + path_or_url
        final_headers = self.finalize_request(dict(headers or {}))
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=final_headers,
                timeout=self.timeout,
                stream=stream,
            )
        except requests.Timeout as exc:
            raise RetryLater(f"{self.integration_name} did not answer in time.", code="TIMEOUT") from exc
        except requests.ConnectionError as exc:
            raise RetryLater(f"Could not reach {self.integration_name}.", code="CONNECTION_ERROR") from exc
        except requests.RequestException as exc:
            raise RetryLater(f"The request to {self.integration_name} failed.", code="REQUEST_ERROR") from exc
        self.on_response(response)
        if response.status_code >= 300:
            self.raise_for_response(response)
        return response
