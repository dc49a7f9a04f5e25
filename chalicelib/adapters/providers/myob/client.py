"""Calls to one MYOB company file: the three headers, the per-key budget, ETags and
typed errors.

Every call carries `Authorization: Bearer`, `x-myobapi-key` (the API key) and
`x-myobapi-version: v2`, and first takes a call from the key's budget (`limits.py`).
A 401 is answered by one forced refresh and one retry. MYOB refuses its rate limits
with a 403 `RateLimitError` (a 429 from a proxy is read the same way): the core's
`RateLimited`. A 403 `AccessDenied` means the company file's consent lapsed or was
withdrawn: `AccessRevoked`, so the integration asks to be reconnected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.adapters.providers.myob.etags import PROCESS_ETAGS, EtagCache
from chalicelib.adapters.providers.myob.failures import (
    ACCESS_DENIED,
    MyobErrorEntry,
    errors_of,
    is_rate_limited,
    messages,
    rate_limit_problem,
)
from chalicelib.adapters.providers.myob.limits import (
    DAILY_WAIT,
    PER_SECOND_WAIT,
    Pacer,
)
from chalicelib.adapters.providers.myob.profile import MYOB_PROFILE
from chalicelib.domain.errors import (
    AccessRevoked,
    AccessTokenRejected,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)

APP_NAME = MYOB_PROFILE.name
API_VERSION = "v2"
LAPSED_CONSENT = (
    "MYOB Business no longer grants access to this company file: its consent lapsed or "
    "was withdrawn (MYOB asks for it again every year). Reconnect to continue syncing."
)


class MyobRefused(ProviderRejected):
    """MYOB refused the request; `errors` are its error body's entries."""

    def __init__(self, status: int, errors: list[MyobErrorEntry]) -> None:
        detail = "; ".join(messages(errors)) or f"HTTP {status}"
        super().__init__(f"MYOB Business refused the request: {detail}")
        self.status = status
        self.errors = errors


@dataclass(frozen=True)
class Created:
    uri: str
    body: dict[str, Any] | None


def uid_of(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def api_headers(api_key: str, access_token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {access_token}",
        "x-myobapi-key": api_key,
        "x-myobapi-version": API_VERSION,
        "Accept": "application/json",
    }


class MyobClient:
    def __init__(
        self,
        *,
        api_url: str,
        company_file_id: str,
        api_key: str,
        access_token: Callable[[bool], str],
        timeout: tuple[float, float],
        session: requests.Session,
        pacer: Pacer,
        etags: EtagCache = PROCESS_ETAGS,
    ) -> None:
        self.base = f"{api_url.rstrip('/')}/{company_file_id}"
        self._api_key = api_key
        self._access_token = access_token
        self._timeout = timeout
        self._session = session
        self.pacer = pacer
        self._etags = etags
        self.calls = 0  # requests sent, for the bench
        self.not_modified = 0  # of which answered 304

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        query = f"?{urlencode(params, safe='$')}" if params else ""
        return f"{self.base}/{path}{query}"

    def read(self, url: str, operation: str) -> Any:
        """GET `url` (a resource's URL or a NextPageLink); a 304 answers what the
        remembered ETag stood for."""
        remembered = self._etags.get(url)
        extra = {"If-None-Match": remembered.etag} if remembered else {}
        response = self._send("GET", url, operation, headers=extra)
        if response.status_code == 304 and remembered is not None:
            self.not_modified += 1
            return remembered.body
        body = self._body_or_raise(response)
        self._etags.put(url, response.headers.get("ETag"), body, len(response.content))
        return body

    def create(
        self, path: str, body: dict[str, Any], operation: str, *, return_body: bool
    ) -> Created:
        """POST: MYOB answers 201 with the new record's URI in Location, and its body
        only when asked (`returnBody=true`)."""
        params = {"returnBody": "true"} if return_body else None
        response = self._send("POST", self.url(path, params), operation, json=body)
        answer = self._body_or_raise(response)
        location = response.headers.get("Location") or (answer or {}).get("URI") or ""
        if not location:
            raise ProviderRejected("MYOB Business created a record without saying where.")
        return Created(location, answer if isinstance(answer, dict) else None)

    def replace(self, path: str, body: dict[str, Any], operation: str) -> dict[str, Any] | None:
        """PUT the whole record (with its current RowVersion); its body comes back."""
        response = self._send("PUT", self.url(path, {"returnBody": "true"}), operation, json=body)
        answer = self._body_or_raise(response)
        return answer if isinstance(answer, dict) else None

    def delete(self, path: str, operation: str) -> None:
        self._body_or_raise(self._send("DELETE", self.url(path), operation))

    def _send(
        self,
        method: str,
        url: str,
        operation: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> requests.Response:
        try:
            return self._send_once(method, url, operation, headers, json, False)
        except AccessTokenRejected:
            return self._send_once(method, url, operation, headers, json, True)

    def _send_once(
        self,
        method: str,
        url: str,
        operation: str,
        headers: Mapping[str, str] | None,
        json: Any,
        force_refresh: bool,
    ) -> requests.Response:
        sent = {**api_headers(self._api_key, self._access_token(force_refresh)), **(headers or {})}
        if json is not None:
            sent["Content-Type"] = "application/json"
        self.pacer.before_call()
        self.calls += 1
        try:
            response = send(
                APP_NAME,
                operation,
                self._session,
                method,
                url,
                headers=sent,
                json=json,
                timeout=self._timeout,
                rate_limit_problem=lambda answer: rate_limit_problem(errors_of(_json(answer))),
            )
        except RateLimited as limited:
            wait = limited.retry_after_seconds or (
                DAILY_WAIT if limited.problem == "daily" else PER_SECOND_WAIT
            )
            self.pacer.refused(wait)
            raise RateLimited(limited.message, wait, limited.problem) from limited
        if response.status_code == 401:
            raise AccessTokenRejected("MYOB Business refused the access token.")
        if response.status_code == 403:
            self._refused_403(response)
        return response

    def _refused_403(self, response: requests.Response) -> None:
        errors = errors_of(_json(response))
        if is_rate_limited(errors):
            problem = rate_limit_problem(errors)
            wait = DAILY_WAIT if problem == "daily" else PER_SECOND_WAIT
            self.pacer.refused(wait)
            raise RateLimited(
                f"MYOB Business's {problem} rate limit for this API key was reached.",
                retry_after_seconds=wait,
                problem=problem,
            )
        if any(error.name == ACCESS_DENIED for error in errors):
            raise AccessRevoked(LAPSED_CONSENT)
        if any(error.name == "DeveloperInactive" for error in errors):
            raise ProviderUnavailable(
                "MYOB Business does not accept this service's API key; the operator must fix "
                "the MYOB app configuration."
            )
        raise MyobRefused(403, errors)

    @staticmethod
    def _body_or_raise(response: requests.Response) -> Any:
        status = response.status_code
        body = _json(response)
        if 200 <= status < 300:
            return body
        raise MyobRefused(status, errors_of(body))


def _json(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
