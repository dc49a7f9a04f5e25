"""RFC 7807 problem+json answers, raised as exceptions from anywhere in a request."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flask import Response

from localdev.emukit import status_phrase

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            "type": f"urn:loc8:problem:{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }

    def response(self) -> Response:
        response = Response(
            json.dumps(self.body()), status=self.status, mimetype=PROBLEM_CONTENT_TYPE
        )
        response.headers.update(self.headers)
        return response


def field_errors(errors: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"field": field, "message": message} for field, message in errors]


def invalid(errors: Iterable[tuple[str, str]], *, status: int = 422) -> Problem:
    listed = field_errors(errors)
    fields = ", ".join(sorted({error["field"] for error in listed}))
    return Problem(
        status,
        "validation-failed" if status == 422 else "bad-request",
        "Validation failed" if status == 422 else "Bad request",
        f"Check these fields: {fields}." if fields else "The request is not valid.",
        errors=listed,
    )


def bad_request(detail: str, field: str | None = None) -> Problem:
    extra: dict[str, Any] = {}
    if field:
        extra["errors"] = field_errors([(field, detail)])
    return Problem(400, "bad-request", "Bad request", detail, **extra)


def not_found(what: str, record_id: str) -> Problem:
    return Problem(404, "not-found", "Not found", f"No {what} {record_id!r} in this tenant.")


def version_conflict(current_version: int) -> Problem:
    return Problem(
        409,
        "version-conflict",
        "Changed since it was read",
        f"The record is at version {current_version}; read it again and re-apply the change.",
        current_version=current_version,
    )


def invalid_status(detail: str) -> Problem:
    return Problem(409, "invalid-status", "Not allowed in the invoice's status", detail)


def injected(status: int) -> Problem:
    """What the emulator answers for a `respond` fault that names no body."""
    slug = "unavailable" if status >= 500 else "injected"
    return Problem(status, slug, status_phrase(status), "Injected by the Loc8 emulator.")


class Loc8ErrorBodies:
    """The emulator kit's answers, as Loc8 core words them: problem+json."""

    json_type = PROBLEM_CONTENT_TYPE

    def injected(self, status: int) -> Response:
        return injected(status).response()

    def refused(self, message: str, field: str | None = None) -> Response:
        return bad_request(message, field).response()


def unauthorized() -> Problem:
    return Problem(
        401,
        "unauthenticated",
        "Authentication required",
        "Send the service token as 'Authorization: Bearer <token>'.",
        headers={"WWW-Authenticate": 'Bearer realm="loc8-core"'},
    )
