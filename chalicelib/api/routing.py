"""What every route shares: errors as problem+json, the caller's identity, JSON bodies."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.problems import internal_error, problem_for
from chalicelib.bootstrap import container
from chalicelib.domain.errors import (
    DomainError,
    FieldProblem,
    InvalidRequest,
    NotFound,
    ValidationFailed,
)
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.api.auth import Principal

Body = TypeVar("Body", bound=BaseModel)

# Every id this service hands out (`int_<hex>`, `run_<digits>_<hex>`) fits; anything else
# in an `..._id` path segment cannot name a record, so it is not looked up at all (a
# DynamoDB key over 1 KB would be refused by DynamoDB itself, as a 500).
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
# Config bodies nest three levels; the bound leaves room and stops a body that would
# exhaust the stack of whatever walks it next (pydantic, json.dumps).
MAX_BODY_DEPTH = 16
TOO_DEEP = f"The request body is nested deeper than {MAX_BODY_DEPTH} levels."


def answers_problems(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn raised errors into problem+json; never let a stack trace reach the client."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            _refuse_impossible_ids(kwargs)
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


def _refuse_impossible_ids(path_params: dict[str, Any]) -> None:
    for name, value in path_params.items():
        if name.endswith("_id") and not ID_PATTERN.fullmatch(str(value)):
            raise NotFound(f"No {name.removesuffix('_id').replace('_', ' ')} has that id.")


def parse_body(request: Request, model: type[Body]) -> Body:
    raw = request.raw_body or b""
    try:
        document = json.loads(raw, parse_constant=_refuse_constant) if raw else None
    except RecursionError as error:
        # The C decoder stops at the interpreter's recursion limit and says so.
        raise InvalidRequest(TOO_DEEP) from error
    except ValueError as error:
        raise InvalidRequest("The request body is not valid JSON.") from error
    if _deeper_than(document, MAX_BODY_DEPTH):
        raise InvalidRequest(TOO_DEEP)
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


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether `document` nests more than `limit` arrays or objects, walked without recursion."""
    level: list[Any] = [document]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return any(isinstance(node, dict | list) for node in level)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return Response(body=body, status_code=status, headers=all_headers)
