"""What every route shares: errors as problem+json, the caller's identity, JSON bodies."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.problems import internal_error, problem_for
from chalicelib.bootstrap import container
from chalicelib.domain.errors import DomainError, FieldProblem, InvalidRequest, ValidationFailed
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.api.auth import Principal

Body = TypeVar("Body", bound=BaseModel)


def answers_problems(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn raised errors into problem+json; never let a stack trace reach the client."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            logger.info("request refused", extra={"problem": type(error).__name__})
            return problem_for(error)
        except Exception:
            logger.exception("unhandled error")
            return internal_error()

    return guarded


def caller(request: Request, *, admin: bool = False) -> Principal:
    # Imported by the first request with a token, so the scheduled and queue functions,
    # which share this app, never load the JWT library.
    from chalicelib.api.auth import bearer_token, require_admin

    principal = container().jwt_verifier.verify(bearer_token(request))
    logger.append_keys(tenant_id=principal.tenant_id, user_id=principal.user_id)
    if admin:
        require_admin(principal)
    return principal


def parse_body(request: Request, model: type[Body]) -> Body:
    raw = request.raw_body or b""
    try:
        document = json.loads(raw) if raw else None
    except ValueError as error:
        raise InvalidRequest("The request body is not valid JSON.") from error
    if not isinstance(document, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise ValidationFailed(
            "The request body has invalid fields.",
            [
                FieldProblem(".".join(str(part) for part in issue["loc"]) or "body", issue["msg"])
                for issue in error.errors()
            ],
        ) from error


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return Response(body=body, status_code=status, headers=all_headers)
