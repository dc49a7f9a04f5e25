"""Loc8 core's answers (RFC 7807 problems) mapped to the typed errors the sync handles."""

from __future__ import annotations

from typing import Any

import requests

from chalicelib.domain.errors import FieldProblem
from chalicelib.domain.loc8_errors import (
    Loc8AuthFailed,
    Loc8Conflict,
    Loc8NotFound,
    Loc8Rejected,
    Loc8Unavailable,
    Loc8ValidationFailed,
    Loc8VersionConflict,
)

PROBLEM_PREFIX = "urn:loc8:problem:"


def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def raise_for_problem(response: requests.Response) -> None:
    """Raise the typed error for a non-2xx answer; return quietly for 2xx."""
    status = response.status_code
    if status < 400:
        return
    problem = _problem(response)
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    if status == 429 or status >= 500:
        raise Loc8Unavailable(
            f"Loc8 core is unavailable right now (HTTP {status}); try again later.",
            retry_after_seconds=retry_after_seconds(response),
        )
    if status in (401, 403):
        raise Loc8AuthFailed(
            f"Loc8 core refused this service's credential (HTTP {status}); the operator "
            "must check LOC8_API_SECRET_NAME."
        )
    message = detail or f"Loc8 core refused the request (HTTP {status})."
    slug = _slug(problem)
    if status == 404:
        raise Loc8NotFound(message)
    if status == 409:
        if slug == "version-conflict":
            current = problem.get("current_version")
            raise Loc8VersionConflict(message, current if isinstance(current, int) else None)
        raise Loc8Conflict(message, kind=slug or "conflict")
    field_problems = _field_problems(problem)
    if status in (400, 422) and field_problems:
        raise Loc8ValidationFailed(message, field_problems)
    raise Loc8Rejected(message)


def _problem(response: requests.Response) -> dict[str, Any]:
    # A gateway's 5xx may be HTML; only a JSON object is a problem document.
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _slug(problem: dict[str, Any]) -> str | None:
    kind = problem.get("type")
    if isinstance(kind, str) and kind.startswith(PROBLEM_PREFIX):
        return kind.removeprefix(PROBLEM_PREFIX)
    return None


def _field_problems(problem: dict[str, Any]) -> list[FieldProblem]:
    errors = problem.get("errors")
    if not isinstance(errors, list):
        return []
    return [
        FieldProblem(field=str(error.get("field", "")), message=str(error.get("message", "")))
        for error in errors
        if isinstance(error, dict)
    ]
