"""Xero's Accounting API for one organisation: requests, typed errors, rate budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.domain.accounting import Account, RateBudget, TaxRate
from chalicelib.domain.errors import (
    AccessRevoked,
    AccessTokenRejected,
    NotFound,
    ProviderRejected,
)

APP_NAME = "Xero"


def _int_header(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def validation_messages(body: Any) -> list[str]:
    """Xero's messages from a ValidationException body, in element order."""
    if not isinstance(body, dict):
        return []
    messages: list[str] = []
    for element in body.get("Elements") or []:
        for error in element.get("ValidationErrors") or []:
            if error.get("Message"):
                messages.append(str(error["Message"]))
    if not messages and body.get("Message"):
        messages.append(str(body["Message"]))
    return messages


class XeroAccounting:
    """Calls for one Xero organisation (`tenant_id`).

    `access_token(force_refresh)` supplies the bearer token; a 401 is answered by one
    forced refresh and one retry, since Xero may end a token before its stated expiry.
    """

    def __init__(
        self,
        *,
        api_url: str,
        tenant_id: str,
        access_token: Callable[[bool], str],
        timeout: tuple[float, float],
        session: requests.Session,
    ) -> None:
        self._base = f"{api_url.rstrip('/')}/api.xro/2.0"
        self._tenant_id = tenant_id
        self._access_token = access_token
        self._timeout = timeout
        self._session = session
        self.budget = RateBudget()

    def accounts(self) -> list[Account]:
        body = self.get("Accounts", operation="get_accounts")
        return [
            Account(
                code=account.get("Code") or "",
                name=account.get("Name") or "",
                type=account.get("Type") or "",
                account_class=account.get("Class") or "",
                status=account.get("Status") or "",
                tax_type=account.get("TaxType"),
            )
            for account in body.get("Accounts") or []
            # Accounts without a code (some bank accounts) cannot be put on a line.
            if account.get("Code")
        ]

    def tax_rates(self) -> list[TaxRate]:
        body = self.get("TaxRates", operation="get_tax_rates")
        return [
            TaxRate(
                code=rate["TaxType"],
                name=rate.get("Name") or rate["TaxType"],
                rate=Decimal(str(rate.get("EffectiveRate", rate.get("DisplayTaxRate", 0)))),
                status=rate.get("Status") or "",
                applies_to_revenue=bool(rate.get("CanApplyToRevenue", True)),
            )
            for rate in body.get("TaxRates") or []
            if rate.get("TaxType")
        ]

    def get(
        self,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return self._call("GET", path, operation=operation, params=params, headers=headers)

    def _call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        try:
            return self._call_once(method, path, operation, params, headers, json_body, False)
        except AccessTokenRejected:
            return self._call_once(method, path, operation, params, headers, json_body, True)

    def _call_once(
        self,
        method: str,
        path: str,
        operation: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        json_body: Any,
        force_refresh: bool,
    ) -> dict[str, Any]:
        request_headers = {
            "Authorization": f"Bearer {self._access_token(force_refresh)}",
            "xero-tenant-id": self._tenant_id,
            "Accept": "application/json",
            **(headers or {}),
        }
        response = send(
            APP_NAME,
            operation,
            self._session,
            method,
            f"{self._base}/{path}",
            params=params,
            headers=request_headers,
            json=json_body,
            timeout=self._timeout,
        )
        self.budget = RateBudget(
            minute_remaining=_int_header(response, "X-MinLimit-Remaining"),
            day_remaining=_int_header(response, "X-DayLimit-Remaining"),
            app_minute_remaining=_int_header(response, "X-AppMinLimit-Remaining"),
        )
        return self._body_or_raise(response)

    @staticmethod
    def _body_or_raise(response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 401:
            raise AccessTokenRejected("Xero refused the access token.")
        if status == 403:
            raise AccessRevoked("Xero no longer grants access to this organisation; reconnect.")
        if status == 404:
            raise NotFound("Xero has no such record.")
        try:
            body = response.json()
        except ValueError:
            body = None
        if status == 400:
            messages = validation_messages(body) or [f"Xero refused the request (HTTP {status})."]
            raise ProviderRejected("; ".join(messages))
        if not 200 <= status < 300 or not isinstance(body, dict):
            raise ProviderRejected(f"Xero answered unexpectedly (HTTP {status}).")
        return body
