"""The one Salesforce REST client of the product.

Every call: a timeout, the connection's bearer token, `Sforce-Limit-Info` recorded on the connection, one
refresh-and-replay on 401 INVALID_SESSION_ID, and every failure mapped to ReconnectRequired, RetryLater or
FailWithReason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone

from integrations.errors import FailWithReason, ReconnectRequired, RetryLater
from integrations.http import BaseApiClient
from integrations.models import Connection, ConnectionStatus, OAuthCredential
from integrations.providers.salesforce.errors import SessionExpired, error_from_response
from integrations.providers.salesforce.limits import parse_limit_info

logger = logging.getLogger(__name__)

COLLECTION_LIMIT = 200
"""Records per sObject Collections call."""
COMPOSITE_LIMIT = 25
"""Subrequests per Composite call."""


class SalesforceClient(BaseApiClient):
    integration_name = "Salesforce"

    def __init__(
        self,
        connection: Connection,
        *,
        credential: OAuthCredential | None = None,
        session: requests.Session | None = None,
        api_version: str | None = None,
    ):
        """`credential` lets a caller probe an org with tokens not saved yet (an unsaved `connection`):
        nothing is written and no refresh is attempted."""
        super().__init__(session=session)
        if connection.status != ConnectionStatus.CONNECTED:
            raise ReconnectRequired(
                connection.status_reason or "This Salesforce connection needs to be reconnected.",
                code="RECONNECT_REQUIRED",
            )
        self.connection = connection
        self.api_version = api_version or settings.SALESFORCE_API_VERSION
        self._credential = credential or OAuthCredential.objects.get(connection=connection)
        self.api_calls = 0
        """Calls this client made (each counts against the org's daily allocation)."""

    # -- transport -------------------------------------------------------------------------------------------
    def base_url(self) -> str:
        return f"{self.connection.instance_url.rstrip('/')}/services/data/v{self.api_version}"

    def finalize_request(self, headers: dict[str, str]) -> dict[str, str]:
        headers["Authorization"] = f"Bearer {self._credential.access_token}"
        headers.setdefault("Accept", "application/json")
        return headers

    def raise_for_response(self, response: requests.Response) -> None:
        raise error_from_response(response)

    def on_response(self, response: requests.Response) -> None:
        self.api_calls += 1
        usage = parse_limit_info(response.headers.get("Sforce-Limit-Info"))
        fields: dict[str, Any] = {}
        if usage:
            fields.update(api_usage_used=usage[0], api_usage_max=usage[1], api_usage_at=timezone.now())
        if response.status_code < 400:
            fields["last_success_at"] = timezone.now()
        for name, value in fields.items():
            setattr(self.connection, name, value)
        if fields and self.connection.pk:
            Connection.objects.filter(pk=self.connection.pk).update(**fields)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self._request_refreshing(method, path, **kwargs)
        except FailWithReason as exc:
            if exc.code == "INVALID_FIELD" and self.connection.pk:
                # The org's schema changed under us: the next describe must come from Salesforce.
                from integrations.services.metadata import describe_invalidate

                describe_invalidate(connection=self.connection, sobject=_entity_in_message(exc.message))
            raise

    def _request_refreshing(self, method: str, path: str, **kwargs) -> requests.Response:
        from integrations.services.tokens import credential_refresh

        seen_version = self._credential.version
        try:
            return self.send(method, path, **kwargs)
        except SessionExpired as exc:
            if not self.connection.pk:
                raise FailWithReason(
                    "Salesforce refused the access token it just issued.", code=exc.code, status=exc.status
                ) from exc
            self._credential = credential_refresh(connection=self.connection, seen_version=seen_version)
        try:
            return self.send(method, path, **kwargs)
        except SessionExpired as exc:
            # A token minted a moment ago was refused: do not loop; let the job retry later.
            raise RetryLater(
                "Salesforce refused a freshly refreshed session.", code="INVALID_SESSION_ID", status=401
            ) from exc

    def request_json(self, method: str, path: str, **kwargs) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # -- metadata --------------------------------------------------------------------------------------------
    def describe_global(self) -> dict:
        return self.request_json("GET", "/sobjects/")

    def describe(self, sobject: str) -> dict:
        return self.request_json("GET", f"/sobjects/{sobject}/describe/")

    def organization(self) -> dict:
        """The org's own row: Name, IsSandbox, OrganizationType (edition); {} if Salesforce returned none."""
        records = self.query("SELECT Name, IsSandbox, OrganizationType FROM Organization").get("records") or [{}]
        return records[0]

    def limits(self) -> dict:
        return self.request_json("GET", "/limits/")

    def identity(self) -> dict:
        """The connected user and org (`/services/oauth2/userinfo` on the instance)."""
        url = f"{self.connection.instance_url.rstrip('/')}/services/oauth2/userinfo"
        return self.request_json("GET", url)

    # -- queries ---------------------------------------------------------------------------------------------
    def query(self, soql: str, *, include_deleted: bool = False) -> dict:
        return self.request_json("GET", "/queryAll/" if include_deleted else "/query/", params={"q": soql})

    def query_more(self, next_records_url: str) -> dict:
        return self.request_json("GET", self.connection.instance_url.rstrip("/") + next_records_url)

    def query_all_iter(self, soql: str, *, include_deleted: bool = False) -> Iterator[dict]:
        page = self.query(soql, include_deleted=include_deleted)
        while True:
            yield from page.get("records", [])
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self.query_more(page["nextRecordsUrl"])

    # -- records ---------------------------------------------------------------------------------------------
    def get(self, sobject: str, record_id: str, fields: list[str] | None = None) -> dict:
        params = {"fields": ",".join(fields)} if fields else None
        return self.request_json("GET", f"/sobjects/{sobject}/{record_id}", params=params)

    def create(self, sobject: str, data: dict, *, headers: dict | None = None) -> dict:
        return self.request_json("POST", f"/sobjects/{sobject}/", json=data, headers=headers)

    def update(self, sobject: str, record_id: str, data: dict) -> None:
        self.request("PATCH", f"/sobjects/{sobject}/{record_id}", json=data)

    def delete(self, sobject: str, record_id: str) -> None:
        self.request("DELETE", f"/sobjects/{sobject}/{record_id}")

    def upsert(self, sobject: str, external_id_field: str, external_id: str, data: dict) -> dict | None:
        return self.request_json("PATCH", f"/sobjects/{sobject}/{external_id_field}/{external_id}", json=data)

    # -- batches ---------------------------------------------------------------------------------------------
    def collections_create(self, records: list[dict], *, all_or_none: bool = False) -> list[dict]:
        _check_batch(records, COLLECTION_LIMIT)
        return self.request_json("POST", "/composite/sobjects", json={"allOrNone": all_or_none, "records": records})

    def collections_update(self, records: list[dict], *, all_or_none: bool = False) -> list[dict]:
        _check_batch(records, COLLECTION_LIMIT)
        return self.request_json("PATCH", "/composite/sobjects", json={"allOrNone": all_or_none, "records": records})

    def collections_upsert(
        self, sobject: str, external_id_field: str, records: list[dict], *, all_or_none: bool = False
    ) -> list[dict]:
        _check_batch(records, COLLECTION_LIMIT)
        return self.request_json(
            "PATCH",
            f"/composite/sobjects/{sobject}/{external_id_field}",
            json={"allOrNone": all_or_none, "records": records},
        )

    def composite(self, subrequests: list[dict], *, all_or_none: bool = False) -> list[dict]:
        _check_batch(subrequests, COMPOSITE_LIMIT)
        body = {"allOrNone": all_or_none, "compositeRequest": subrequests}
        return self.request_json("POST", "/composite", json=body)["compositeResponse"]

    # -- bulk 2.0 --------------------------------------------------------------------------------------------
    def bulk_query_create(self, soql: str, *, include_deleted: bool = False) -> dict:
        body = {
            "operation": "queryAll" if include_deleted else "query",
            "query": soql,
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        }
        return self.request_json("POST", "/jobs/query", json=body)

    def bulk_query_status(self, job_id: str) -> dict:
        return self.request_json("GET", f"/jobs/query/{job_id}")

    def bulk_query_results(
        self, job_id: str, *, locator: str | None = None, max_records: int = 50000
    ) -> requests.Response:
        params: dict[str, Any] = {"maxRecords": max_records}
        if locator:
            params["locator"] = locator
        return self.request(
            "GET", f"/jobs/query/{job_id}/results", params=params, headers={"Accept": "text/csv"}, stream=True
        )

    def bulk_query_abort(self, job_id: str) -> None:
        self.request("PATCH", f"/jobs/query/{job_id}", json={"state": "Aborted"})


_ENTITY_RE = re.compile(r"on entity '(\w+)'")


def _entity_in_message(message: str) -> str | None:
    """`Lead` from "No such column 'Foo__c' on entity 'Lead'"; None (all objects) when not named."""
    match = _ENTITY_RE.search(message or "")
    return match.group(1) if match else None


def _check_batch(items: list, limit: int) -> None:
    if len(items) > limit:
        raise ValueError(f"At most {limit} items per call; got {len(items)}.")


def client_for(connection: Connection) -> SalesforceClient:
    return SalesforceClient(connection)
