"""REST helpers for the sandbox tests; ``sandbox``/``sandbox_org`` come from the ``sandbox.testing`` plugin
(registered in tests/conftest.py)."""

from __future__ import annotations

import pytest
import requests

VERSION = "62.0"


class Api:
    """Thin REST helper: paths are relative to ``/services/data/v62.0/``."""

    def __init__(self, base_url: str, access_token: str, version: str = VERSION) -> None:
        self.base_url = base_url
        self.version = version
        self.token = access_token
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {access_token}"

    def url(self, path: str) -> str:
        if path.startswith("/services/"):
            return self.base_url + path
        return f"{self.base_url}/services/data/v{self.version}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.url(path), timeout=30, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.http.post(self.url(path), timeout=30, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.http.patch(self.url(path), timeout=30, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.http.delete(self.url(path), timeout=30, **kwargs)

    def query(self, soql: str, **kwargs) -> requests.Response:
        return self.get("query", params={"q": soql}, **kwargs)

    def create(self, sobject: str, **fields) -> str:
        resp = self.post(f"sobjects/{sobject}", json=fields)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]


@pytest.fixture
def api(sandbox, sandbox_org) -> Api:
    return Api(sandbox.url, sandbox_org.token(sandbox_org.admin_user)["access_token"])


@pytest.fixture
def rep_api(sandbox, sandbox_org) -> Api:
    return Api(sandbox.url, sandbox_org.token(sandbox_org.rep_user)["access_token"])
