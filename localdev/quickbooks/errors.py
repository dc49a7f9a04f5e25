"""How the emulated Intuit words its errors, outside the Accounting API's own faults.

- OAuth endpoints (token, revoke): RFC 6749 JSON, `{"error": "invalid_grant"}`.
- The API gateway in front of `/v3/company/...`: a lowercase `fault` envelope, 401
  `AuthenticationFailed` (code 3200) for a missing, unknown, expired or revoked token and
  403 `ApplicationAuthorizationFailed` (code 3100) for a token that does not cover the
  company in the URL. Tokens are never echoed in these bodies.
- The kit's injected faults: the Accounting API's bodies for that status (429
  ThrottleExceeded, 5xx SystemFault 10000), from `accounting.faults`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, jsonify

from localdev.emukit import status_phrase
from localdev.quickbooks.accounting import faults as api_faults
from localdev.quickbooks.accounting.faults import ErrorDetail, QuickBooksFault

_APPLICATION_ERROR = "An application error has occurred while processing your request"
WWW_AUTHENTICATE = 'Bearer realm="Intuit", error="invalid_token"'


def intuit_time(moment: datetime) -> str:
    """e.g. 2026-11-30T20:02:49.188-08:00, as in a Fault's `time`."""
    return api_faults.server_time(moment)


class OAuthError(Exception):
    """An RFC 6749 error answer of the token or revocation endpoint."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


def oauth_error_response(error: OAuthError) -> Response:
    response = jsonify({"error": error.error})
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    if error.error == "invalid_client":
        response.headers["WWW-Authenticate"] = 'Basic realm="Intuit"'
    return response


class BearerError(Exception):
    """The API gateway refuses the request's bearer token (401, code 3200)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RealmForbidden(Exception):
    """The token is good but does not cover this company (403, code 3100)."""


def gateway_fault(
    *, message: str, code: str, fault_type: str, detail: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "fault": {
            "error": [{"message": message, "detail": detail, "code": code, "element": None}],
            "type": fault_type,
        },
        "time": intuit_time(now),
    }


def unauthorized_response(error: BearerError, now: datetime) -> Response:
    response = jsonify(
        gateway_fault(
            message="message=AuthenticationFailed; errorCode=003200; statusCode=401",
            code="3200",
            fault_type="AUTHENTICATION",
            detail=error.detail,
            now=now,
        )
    )
    response.status_code = 401
    response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def forbidden_response(now: datetime) -> Response:
    response = jsonify(
        gateway_fault(
            message="message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            code="3100",
            fault_type="SERVICE",
            detail=None,
            now=now,
        )
    )
    response.status_code = 403
    return response


class QuickBooksErrorBodies:
    """The kit's `ErrorBodies`: what an injected fault or a refused control answers."""

    json_type = "application/json"

    def __init__(self, now: Callable[[], datetime]) -> None:
        # `now` is the emulator clock's bound `now`, so bodies carry the emulated time.
        self._now = now

    def injected(self, status: int) -> Response:
        now = self._now()
        if status == 401:
            return unauthorized_response(BearerError("Token expired"), now)
        if status == 403:
            return forbidden_response(now)
        if status == 429:
            return api_faults.throttled().to_response(now)
        detail = f"System Failure Error: {status} {status_phrase(status)}"
        return QuickBooksFault(
            status,
            [ErrorDetail("10000", _APPLICATION_ERROR, detail)],
            fault_type=api_faults.SYSTEM,
        ).to_response(now)

    def refused(self, message: str, field: str | None = None) -> Response:
        body: dict[str, Any] = {"error": message}
        if field is not None:
            body["field"] = field
        response = jsonify(body)
        response.status_code = 400
        return response
