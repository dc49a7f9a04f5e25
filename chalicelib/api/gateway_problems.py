"""API Gateway's own answers (no route, throttled, too large, timed out...) as problem+json.

Deployed, API Gateway answers these before or instead of the Lambda; the merge templates
(infra/<stage>.json, `RestAPI.Properties.GatewayResponses`) give each type the body below,
and tests/infra checks that the packaged templates say exactly what GATEWAY_PROBLEMS says.
Locally, `chalice local` and chalice.test answer from Chalice's LocalGateway;
`answer_like_the_deployed_gateway` makes that answer the same.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from typing import Any

from chalicelib.api.cors import cors_headers
from chalicelib.api.problems import PROBLEM_CONTENT_TYPE


@dataclass(frozen=True)
class GatewayProblem:
    status: int
    slug: str
    title: str
    detail: str

    def body(self) -> dict[str, Any]:
        return {
            "type": f"urn:loc8:problem:{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }


NO_ROUTE = GatewayProblem(404, "not-found", "Not found", "No route matches this method and path.")
REFUSED = GatewayProblem(403, "forbidden", "Forbidden", "The request was refused.")
BAD_REQUEST = GatewayProblem(400, "invalid-request", "Bad request", "The request is malformed.")
UNAVAILABLE = GatewayProblem(
    503,
    "temporarily-unavailable",
    "Temporarily unavailable",
    "The service could not answer just now; try again shortly.",
)
GATEWAY_TIMEOUT = GatewayProblem(
    504, "timeout", "Gateway timeout", "The service took too long to answer; try again."
)

# Every gateway response type API Gateway has, each with its default status (no
# route answers 404 instead of 403). The types this API cannot meet (it has no
# authorizer, API key or request validator) are listed too: a DEFAULT_4XX or
# DEFAULT_5XX with a status would force that status on every type not listed.
GATEWAY_PROBLEMS: dict[str, GatewayProblem] = {
    # An unknown path, or a method the path does not declare (with or without a token).
    "MISSING_AUTHENTICATION_TOKEN": NO_ROUTE,
    "RESOURCE_NOT_FOUND": NO_ROUTE,
    "THROTTLED": GatewayProblem(
        429, "throttled", "Too many requests", "Too many requests; slow down and try again."
    ),
    "QUOTA_EXCEEDED": GatewayProblem(
        429, "throttled", "Too many requests", "Too many requests; slow down and try again."
    ),
    "REQUEST_TOO_LARGE": GatewayProblem(
        413, "request-too-large", "Request too large", "The request body is too large."
    ),
    "UNSUPPORTED_MEDIA_TYPE": GatewayProblem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "Send the request body as application/json.",
    ),
    "BAD_REQUEST_BODY": BAD_REQUEST,
    "BAD_REQUEST_PARAMETERS": BAD_REQUEST,
    "UNAUTHORIZED": GatewayProblem(
        401,
        "unauthenticated",
        "Not authenticated",
        "Send a Loc8 token as 'Authorization: Bearer <token>'.",
    ),
    "ACCESS_DENIED": REFUSED,
    "WAF_FILTERED": REFUSED,
    "INVALID_API_KEY": REFUSED,
    "INVALID_SIGNATURE": REFUSED,
    "EXPIRED_TOKEN": REFUSED,
    "INTEGRATION_FAILURE": GATEWAY_TIMEOUT,
    "INTEGRATION_TIMEOUT": GATEWAY_TIMEOUT,
    "API_CONFIGURATION_ERROR": GatewayProblem(
        500,
        "internal-error",
        "Internal error",
        "Something went wrong on our side; it has been logged. Try again.",
    ),
    "AUTHORIZER_FAILURE": UNAVAILABLE,
    "AUTHORIZER_CONFIGURATION_ERROR": UNAVAILABLE,
    "DEFAULT_4XX": BAD_REQUEST,
    "DEFAULT_5XX": UNAVAILABLE,
}
# What the local gateway raises, by HTTP status, to the type API Gateway would answer.
LOCAL_EQUIVALENTS = {403: "MISSING_AUTHENTICATION_TOKEN", 401: "UNAUTHORIZED"}


def answer_like_the_deployed_gateway() -> None:
    """Make Chalice's local gateway answer its refusals as the deployed gateway responses do.

    Only where `chalice.local` is already loaded (the `chalice local` command and
    chalice.test import it before the app); never in Lambda, where it is not packaged.
    Its only refusal for this app is an unknown route (403 "Missing Authentication
    Token"), which API Gateway answers as MISSING_AUTHENTICATION_TOKEN.
    """
    local = sys.modules.get("chalice.local")
    if local is None or getattr(local.LocalGateway.handle_request, "answers_problems", False):
        return
    original = local.LocalGateway.handle_request

    @functools.wraps(original)
    def handle_request(
        gateway: Any, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, Any]:
        try:
            return original(gateway, method, path, headers, body)
        except local.LocalGatewayException as refused:
            response_type = LOCAL_EQUIVALENTS.get(refused.CODE, "DEFAULT_5XX")
            origin = next((v for k, v in headers.items() if k.lower() == "origin"), None)
            return local_response(GATEWAY_PROBLEMS[response_type], origin)

    handle_request.answers_problems = True  # type: ignore[attr-defined]
    local.LocalGateway.handle_request = handle_request


def local_response(gateway_problem: GatewayProblem, origin: str | None) -> dict[str, Any]:
    return {
        "statusCode": gateway_problem.status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE, **cors_headers(origin)},
        "multiValueHeaders": {},
        "body": json.dumps(gateway_problem.body()),
    }
