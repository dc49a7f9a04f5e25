"""A small HTTP client for the QuickBooks emulator's Accounting API in tests.

Every JSON answer it receives is checked against Intuit's XSD when a copy is beside the
checkout (tests/support/quickbooks_xsd.py); a violation fails the call itself. Without
the XSD the calls still work and the schema check is reported as skipped by the tests
that are about it (test_quickbooks_accounting_spec.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support import quickbooks_xsd
from tests.support.quickbooks_emulator_fixtures import TIMEOUT, QuickBooksTokens, connect

MINOR_VERSION = "75"


class SchemaViolation(AssertionError):
    """An answer Intuit's schema does not allow."""


@dataclass
class Api:
    base_url: str
    tokens: QuickBooksTokens
    realm_id: str = DEMO_REALM_ID
    session: requests.Session = field(default_factory=requests.Session)
    checked: int = 0  # answers checked against the XSD

    @property
    def company_url(self) -> str:
        return f"{self.base_url}/v3/company/{self.realm_id}"

    def headers(self, **extra: str) -> dict[str, str]:
        return {**self.tokens.bearer, **extra}

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        minor_version: str | None = MINOR_VERSION,
        data: str | bytes | None = None,
    ) -> requests.Response:
        query = dict(params or {})
        if minor_version is not None:
            query.setdefault("minorversion", minor_version)
        sent_headers = headers if headers is not None else self.headers()
        if body is not None:
            data = json.dumps(body)
            sent_headers = {**sent_headers, "Content-Type": "application/json"}
        response = self.session.request(
            method,
            f"{self.company_url}{path}",
            params=query,
            data=data,
            headers=sent_headers,
            timeout=TIMEOUT,
        )
        self._check(response)
        return response

    def _check(self, response: requests.Response) -> None:
        if not quickbooks_xsd.available():
            return
        if not response.headers.get("Content-Type", "").startswith("application/json"):
            return
        body = response.json()
        if "fault" in body:  # the gateway's lowercase 401/403 envelope, not the API's
            return
        problems = quickbooks_xsd.check_answer(body)
        self.checked += 1
        if problems:
            raise SchemaViolation("\n".join(problems[:20]))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, body=body, **kwargs)

    def query(self, text: str) -> requests.Response:
        return self.get("/query", params={"query": text})

    def rows(self, text: str) -> list[dict[str, Any]]:
        """The records a query answers (asserting it succeeded)."""
        answer = self.query(text)
        assert answer.status_code == 200, answer.text
        found = answer.json()["QueryResponse"]
        entity = text.split()[3] if text.lower().startswith("select * from") else None
        if entity is None:
            entities = [key for key in found if key not in ("startPosition", "maxResults")]
            return found[entities[0]] if entities else []
        return found.get(entity, [])

    def create(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(f"/{entity.lower()}", body)
        assert answer.status_code == 200, answer.text
        return answer.json()[entity]  # type: ignore[no-any-return]

    def one(self, entity: str, record_id: str) -> dict[str, Any]:
        answer = self.get(f"/{entity.lower()}/{record_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()[entity]  # type: ignore[no-any-return]


def connected_api(emulator: QuickBooksEmulator, server: RunningServer) -> Api:
    return Api(server.url, connect(emulator, server.url))


def fault_of(response: requests.Response) -> dict[str, str]:
    """The first Error of an Accounting API Fault answer."""
    return response.json()["Fault"]["Error"][0]  # type: ignore[no-any-return]


@pytest.fixture
def qbo_api(qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer) -> Api:
    """Connected to the seeded AU demo company, every answer checked against the XSD."""
    return connected_api(qbo_emulator, qbo_server)


def gst_code_id(api: Api, name: str = "GST") -> str:
    return str(api.rows(f"select * from TaxCode where Name = '{name}'")[0]["Id"])  # noqa: S608


def account_id(api: Api, name: str) -> str:
    return str(api.rows(f"select * from Account where Name = '{name}'")[0]["Id"])  # noqa: S608


def item_id(api: Api, name: str = "Labour - standard hour") -> str:
    return str(api.rows(f"select * from Item where Name = '{name}'")[0]["Id"])  # noqa: S608


def sales_line(
    item: str, tax_code: str, amount: float, qty: float = 1, unit_price: float | None = None
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "ItemRef": {"value": item},
        "Qty": qty,
        "TaxCodeRef": {"value": tax_code},
    }
    detail["UnitPrice"] = amount / qty if unit_price is None else unit_price
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
