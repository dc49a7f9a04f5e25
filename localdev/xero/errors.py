"""Error types and the response shapes real Xero uses for them."""

from __future__ import annotations

import uuid

from flask import Response, jsonify

from localdev.emukit import status_phrase


class OAuthError(Exception):
    """An RFC 6749 error from the token or revocation endpoint."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


class BearerError(Exception):
    """The access token presented to an API path cannot be used."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def oauth_error_response(error: OAuthError) -> Response:
    response = jsonify({"error": error.error})
    response.status_code = error.status
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if error.status == 401:
        # RFC 6749 section 5.2: a 401 must name the scheme the client should use.
        response.headers["WWW-Authenticate"] = 'Basic realm="identity.xero.com"'
    return response


def problem_response(status: int, title: str, detail: str) -> Response:
    """The ProblemDetails-like body api.xero.com answers with (PascalCase keys)."""
    response = jsonify(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        }
    )
    response.status_code = status
    return response


def unauthorized_response(error: BearerError) -> Response:
    return problem_response(401, "Unauthorized", error.detail)


class XeroErrorBodies:
    """The emulator kit's answers for Xero: a plain-text page for an injected failure
    (what Xero's edge answers when it is down), `{"error": ...}` for a refused control."""

    json_type = "application/json"

    def injected(self, status: int) -> Response:
        return Response(
            f"{status} {status_phrase(status)} (injected by the Xero emulator)\n",
            status=status,
            mimetype="text/plain",
        )

    def refused(self, message: str, field: str | None = None) -> Response:
        response = jsonify({"error": message})
        response.status_code = 400
        return response
