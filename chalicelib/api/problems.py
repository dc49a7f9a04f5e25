"""RFC 7807 problem+json responses, and which error kind gets which status."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from chalice.app import Request, Response

from chalicelib.domain import errors, loc8_errors

PROBLEM_CONTENT_TYPE = "application/problem+json"

STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int, str], ...] = (
    # Whatever Loc8 core answers a request for, the caller's request itself was fine.
    (loc8_errors.Loc8Error, 502, "loc8-unavailable"),
    (errors.NotAuthenticated, 401, "unauthenticated"),
    (errors.NotAllowed, 403, "forbidden"),
    (errors.NotFound, 404, "not-found"),
    (errors.ValidationFailed, 422, "validation-failed"),
    (errors.PreconditionFailed, 412, "precondition-failed"),
    (errors.InvalidOAuthState, 400, "invalid-oauth-state"),
    (errors.InvalidRequest, 400, "invalid-request"),
    (errors.AlreadyConnected, 409, "already-connected"),
    (errors.InvalidTransition, 409, "invalid-status"),
    (errors.ConcurrentUpdate, 409, "concurrent-update"),
    (errors.Conflict, 409, "conflict"),
    (errors.AccessRevoked, 409, "access-revoked"),
    (errors.TemporarilyUnavailable, 503, "temporarily-unavailable"),
    (errors.ProviderUnavailable, 502, "app-unavailable"),
    (errors.ProviderError, 502, "app-error"),
)


def problem(
    status: int,
    title: str,
    detail: str,
    slug: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {"type": f"urn:loc8:problem:{slug}", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": PROBLEM_CONTENT_TYPE, **(headers or {})},
    )


def problem_for(error: errors.DomainError) -> Response:
    status, slug = next(
        ((status, slug) for kind, status, slug in STATUS_BY_ERROR if isinstance(error, kind)),
        (400, "request-failed"),
    )
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, errors.ValidationFailed):
        extra["errors"] = [{"field": p.field, "message": p.message} for p in error.problems]
    if isinstance(error, errors.AlreadyConnected):
        extra["integration_id"] = error.existing_id
    if isinstance(error, errors.NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="loc8-integrations"'
    retry_after = getattr(error, "retry_after_seconds", None)
    if retry_after:
        headers["Retry-After"] = str(int(retry_after))
    return problem(status, error.title, error.message, slug, headers=headers, **extra)


def internal_error() -> Response:
    return problem(
        500,
        "Internal error",
        "Something went wrong on our side; it has been logged. Try again.",
        "internal-error",
    )


def problems_only(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice's own error answers (415, 405, its 400 and 500) as problem+json.

    Views already answer problems; this catches what Chalice decides before or around
    a view, keeping its headers (Allow, CORS) and replacing its `{"Code": ...}` body.
    """
    response = get_response(request)
    if response.status_code < 400 or _is_problem(response):
        return response
    return _as_problem(request, response)


def _is_problem(response: Response) -> bool:
    content_type = next(
        (value for name, value in response.headers.items() if name.lower() == "content-type"), ""
    )
    return content_type.split(";")[0].strip().lower() == PROBLEM_CONTENT_TYPE


def _as_problem(request: Request, response: Response) -> Response:
    status = response.status_code
    headers = {
        name: value for name, value in response.headers.items() if name.lower() != "content-type"
    }
    if status == 415:
        return problem(
            415,
            "Unsupported media type",
            "Send the request body as application/json.",
            "unsupported-media-type",
            headers,
        )
    if status == 405:
        allowed = headers.get("Allow", "")
        return problem(
            405,
            "Method not allowed",
            f"{request.method} is not allowed on this path; allowed: {allowed}.",
            "method-not-allowed",
            headers,
        )
    if status >= 500:
        return problem(
            status,
            "Internal error",
            "Something went wrong on our side; it has been logged. Try again.",
            "internal-error",
            headers,
        )
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Request refused"
    return problem(
        status, phrase, "The request was refused.", phrase.lower().replace(" ", "-"), headers
    )
