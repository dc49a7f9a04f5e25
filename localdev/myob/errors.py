"""MYOB's error bodies: `{"Errors": [...], "Information": ...}` from the API, RFC 6749
`{"error": ...}` from secure.myob.com's token endpoint."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from localdev.emukit import status_phrase

# Every MYOB API error body carries this notice beside the errors.
INFORMATION = "Warning, error messages have not been finalised in this release and may change"
LEARN_MORE = "https://developer.myob.com/api/myob-business-api/api-overview/error-messages"


class MyobError(Exception):
    """An API refusal, answered in MYOB's error body."""

    def __init__(
        self,
        status: int,
        name: str,
        message: str,
        details: str | None = None,
        error_code: int | None = None,
    ) -> None:
        super().__init__(f"{name}: {message}")
        self.status = status
        self.name = name
        self.message = message
        self.details = details
        self.error_code = error_code

    def to_json(self) -> dict[str, Any]:
        return {
            "Name": self.name,
            "Message": self.message,
            "AdditionalDetails": self.details,
            "ErrorCode": self.error_code,
            "Severity": "Error",
            "LearnMore": LEARN_MORE,
        }


class ValidationErrors(Exception):
    """Several 400 refusals about one request body, answered together."""

    def __init__(self, errors: list[MyobError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def errors_response(status: int, errors: list[MyobError]) -> Response:
    response = jsonify(
        {"Errors": [error.to_json() for error in errors], "Information": INFORMATION}
    )
    response.status_code = status
    return response


def myob_error_response(error: MyobError) -> Response:
    return errors_response(error.status, [error])


# The generic errors of MYOB's published list, worded as MYOB words them.
def rate_limited(period: str) -> MyobError:
    return MyobError(
        403,
        "RateLimitError",
        f"API key has exceeded the {period} rate limit",
        "Header: x-myobapi-key",
    )


def developer_inactive() -> MyobError:
    return MyobError(403, "DeveloperInactive", "API key is missing or inactive")


def required(field: str) -> MyobError:
    return MyobError(400, "Required", f"{field} is required", field, 100)


def not_found_reference(field: str, uid: object) -> MyobError:
    return MyobError(400, "NotFound", f"{field} with UID {uid} was not found", field, 150)


def serialization(field: str, detail: str) -> MyobError:
    return MyobError(400, "SerializationError", f"Error converting value {detail}", field, 50)


def invalid(field: str, message: str, name: str = "ValidationError") -> MyobError:
    """A business rule the emulator enforces; MYOB's exact name/code for it is not
    published, so the body says what is wrong in the emulator's words."""
    return MyobError(400, name, message, field)


class OAuthError(Exception):
    """An RFC 6749 error from the token endpoint."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


def oauth_error_response(error: OAuthError) -> Response:
    response = jsonify({"error": error.error})
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    return response


class MyobErrorBodies:
    """The kit's answers for MYOB: an injected failure and a refused control both in
    MYOB's error body."""

    json_type = "application/json"

    def injected(self, status: int) -> Response:
        if status in (403, 429):
            # A refusal a test injects stands for MYOB's rate limit (MYOB answers 403).
            return myob_error_response(rate_limited("per-second"))
        name = {
            500: "InternalError",
            503: "ServiceUnavailable",
            504: "GatewayTimeout",
        }.get(status, status_phrase(status).replace(" ", ""))
        message = (
            "Connection to the API has timed out"
            if status == 504
            else f"{status_phrase(status)} (injected by the MYOB emulator)"
        )
        return errors_response(status, [MyobError(status, name, message)])

    def refused(self, message: str, field: str | None = None) -> Response:
        return errors_response(400, [MyobError(400, "ControlRefused", message, field)])
