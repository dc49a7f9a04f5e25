"""Calls to one QuickBooks Online company (realm): auth, minor version, typed errors.

Every call carries `minorversion`; a 401 is answered by one forced refresh and one
retry (Intuit may end a token before its stated hour). Refusals become typed errors
carrying Intuit's `Fault.Error[]`, 429s the core's `RateLimited`, and every call is
counted against the company's limits (`limits.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.adapters.providers.quickbooks.failures import (
    FaultError,
    fault_errors,
    messages,
)
from chalicelib.adapters.providers.quickbooks.limits import THROTTLED_WAIT_SECONDS, RateCounter
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.domain.errors import (
    AccessRevoked,
    AccessTokenRejected,
    NotFound,
    ProviderRejected,
    RateLimited,
)

APP_NAME = QUICKBOOKS_PROFILE.name


class QuickBooksRefused(ProviderRejected):
    """QuickBooks refused the request; `errors` are its Fault errors."""

    def __init__(self, message: str, errors: list[FaultError]) -> None:
        super().__init__(message)
        self.errors = errors


class QuickBooksClient:
    def __init__(
        self,
        *,
        api_url: str,
        realm_id: str,
        access_token: Callable[[bool], str],
        timeout: tuple[float, float],
        session: requests.Session,
        minor_version: int,
        rate: RateCounter | None = None,
    ) -> None:
        self._base = f"{api_url.rstrip('/')}/v3/company/{realm_id}"
        self._access_token = access_token
        self._timeout = timeout
        self._session = session
        self._minor_version = str(minor_version)
        self.rate = rate or RateCounter()

    def get(
        self, path: str, *, operation: str, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        return self.call("GET", path, operation=operation, params=params)

    def query(self, statement: str, *, operation: str) -> dict[str, Any]:
        """A query's `QueryResponse` ({} when nothing matched)."""
        body = self.get("query", operation=operation, params={"query": statement})
        response = body.get("QueryResponse")
        return response if isinstance(response, dict) else {}

    def call(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        try:
            return self._call_once(method, path, operation, params, json_body, False)
        except AccessTokenRejected:
            return self._call_once(method, path, operation, params, json_body, True)

    def _call_once(
        self,
        method: str,
        path: str,
        operation: str,
        params: Mapping[str, str] | None,
        json_body: Any,
        force_refresh: bool,
    ) -> dict[str, Any]:
        is_batch = path == "batch"
        headers = {
            "Authorization": f"Bearer {self._access_token(force_refresh)}",
            "Accept": "application/json",
        }
        if json_body is not None:
            headers["Content-Type"] = "application/json"
        self.rate.record(batch=is_batch)
        try:
            response = send(
                APP_NAME,
                operation,
                self._session,
                method,
                f"{self._base}/{path}",
                params={**(params or {}), "minorversion": self._minor_version},
                headers=headers,
                json=json_body,
                timeout=self._timeout,
                rate_limit_problem=lambda _response: "batch" if is_batch else "minute",
            )
        except RateLimited as limited:
            wait = limited.retry_after_seconds or THROTTLED_WAIT_SECONDS
            self.rate.throttled(batch=is_batch, seconds=wait)
            raise RateLimited(limited.message, wait, limited.problem) from limited
        return self._body_or_raise(response)

    @staticmethod
    def _body_or_raise(response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        errors = fault_errors(body)
        if status == 401:
            raise AccessTokenRejected("QuickBooks Online refused the access token.")
        if status == 403:
            raise AccessRevoked(
                "QuickBooks Online no longer grants access to this company; reconnect."
            )
        if status == 404 and not errors:
            raise NotFound("QuickBooks Online has no such record.")
        if errors:  # a Fault at the top answers the whole request
            raise QuickBooksRefused("; ".join(messages(errors)), errors)
        if not 200 <= status < 300 or not isinstance(body, dict):
            raise ProviderRejected(f"QuickBooks Online answered unexpectedly (HTTP {status}).")
        return body
