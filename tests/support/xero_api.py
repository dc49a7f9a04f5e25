"""A thin Accounting API client for the emulator tests (plain `requests`, no SDK)."""

from __future__ import annotations

from typing import Any

import requests

from localdev.xero import DEMO_TENANT_ID
from tests.support.xero_flow import XeroFlow

ACCOUNTING_SCOPES = (
    "openid profile email offline_access accounting.settings accounting.contacts "
    "accounting.invoices accounting.payments"
)


class AccountingClient:
    """Sends what a well-behaved client sends: Bearer token, tenant, Accept JSON."""

    def __init__(self, flow: XeroFlow, tokens: dict[str, Any], tenant_id: str = DEMO_TENANT_ID):
        self.flow = flow
        self.tokens = tokens
        self.tenant_id = tenant_id

    @property
    def http(self) -> requests.Session:
        return self.flow.http

    @property
    def base_url(self) -> str:
        return f"{self.flow.base_url}/api.xro/2.0"

    def headers(self, **extra: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.tokens['access_token']}",
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
        }
        for name, value in extra.items():
            name = name.replace("_", "-")
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str | None] | None = None,
    ) -> requests.Response:
        return self.http.request(
            method,
            f"{self.base_url}{path}",
            params=params,
            json=json,
            headers=self.headers(**(headers or {})),
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params)

    def put(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.request("PUT", path, params=params, json=body)

    def post(self, path: str, body: Any, **params: Any) -> requests.Response:
        return self.request("POST", path, params=params, json=body)

    def refresh(self) -> None:
        response = self.flow.refresh(self.tokens["refresh_token"])
        assert response.status_code == 200, response.text
        self.tokens = response.json()

    # --- shortcuts used across the tests -------------------------------------------------
    def create(self, collection: str, *elements: dict[str, Any], **params: Any) -> list[dict]:
        response = self.put(f"/{collection}", {collection: list(elements)}, **params)
        assert response.status_code == 200, response.text
        return response.json()[collection]

    def one(self, collection: str, key: str) -> dict[str, Any]:
        response = self.get(f"/{collection}/{key}")
        assert response.status_code == 200, response.text
        [element] = response.json()[collection]
        return element


def messages_of(response: requests.Response) -> list[str]:
    """All ValidationErrors messages of a 400 ValidationException."""
    body = response.json()
    return [
        error["Message"]
        for element in body.get("Elements", [])
        for error in element.get("ValidationErrors", [])
    ]


def sale(contact_id: str, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An ACCREC invoice body; default line: 1 x 100.00 to 200 Sales with GST."""
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-02",
        "DueDate": "2026-03-16",
        "LineItems": list(lines)
        or [
            {"Description": "Service call", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
        ],
        **fields,
    }
