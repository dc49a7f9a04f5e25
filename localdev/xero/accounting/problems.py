"""Accounting API error responses, in the shapes real Xero answers with.

Every failure is raised as an ``AccountingError`` and turned into a response by one
handler, so a view never builds an error body by hand.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response

VALIDATION_MESSAGE = "A validation exception occurred"
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class AccountingError(Exception):
    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(body if isinstance(body, str) else body.get("Message", status))
        self.status = status
        self.body = body
        self.headers = headers or {}

    def to_response(self) -> Response:
        if isinstance(self.body, str):
            response = Response(self.body, status=self.status, mimetype="text/plain")
        else:
            response = Response(
                json.dumps(self.body), status=self.status, content_type=JSON_CONTENT_TYPE
            )
        response.headers.update(self.headers)
        return response


def validation_exception(elements: list[dict[str, Any]]) -> AccountingError:
    """400 ErrorNumber 10: one entry per rejected element, each with its ValidationErrors."""
    return AccountingError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": VALIDATION_MESSAGE,
            "Elements": elements,
        },
    )


def request_invalid(message: str) -> AccountingError:
    """A ValidationException about the request as a whole (no element to blame)."""
    return AccountingError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": message,
            "Elements": [{"ValidationErrors": [{"Message": message}]}],
        },
    )


def query_parse_error(message: str) -> AccountingError:
    """400 ErrorNumber 16, as Xero answers a `where`/`order` it cannot parse."""
    return AccountingError(
        400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}
    )


def post_data_invalid(message: str) -> AccountingError:
    """400 ErrorNumber 14, as Xero answers a body it cannot deserialise."""
    return AccountingError(
        400, {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}
    )


def not_found() -> AccountingError:
    return AccountingError(404, NOT_FOUND_TEXT)


def body_too_large() -> AccountingError:
    return AccountingError(413, "The request body is larger than Xero's 3.5 MB limit.")


def not_acceptable() -> AccountingError:
    # Real Xero would answer XML here. Refusing instead makes a client that forgot
    # `Accept: application/json` fail in tests rather than choke on XML in production.
    return AccountingError(
        406,
        "The Xero emulator only answers JSON: send 'Accept: application/json' "
        "(real Xero answers XML without it).",
    )


def problem(status: int, title: str, detail: str) -> AccountingError:
    """api.xero.com's ProblemDetails body, used for 401 and 403."""
    return AccountingError(
        status,
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
    )


def forbidden() -> AccountingError:
    """What Xero answers for a missing, unknown or unconnected xero-tenant-id."""
    return problem(403, "Forbidden", "AuthenticationUnsuccessful")


def insufficient_scope() -> AccountingError:
    """What Xero answers when the token lacks the endpoint's scope."""
    return problem(401, "Unauthorized", "AuthorizationUnsuccessful")


def rate_limited(problem_kind: str, retry_after: int) -> AccountingError:
    return AccountingError(
        429,
        "Rate limit exceeded",
        headers={"Retry-After": str(retry_after), "X-Rate-Limit-Problem": problem_kind},
    )
