"""CORS for the Loc8 web origins of the stage, and no other origin.

Chalice's CORSConfig takes a single origin, and the web client may be served from
several; so the allowed origin is echoed per request and preflights get their own
OPTIONS routes.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.bootstrap import container

ALLOWED_HEADERS = "Authorization, Content-Type, If-Match"
EXPOSED_HEADERS = "ETag, Location, Retry-After"
PREFLIGHT_MAX_AGE_SECONDS = "600"


def allowed_origin(request: Request | None) -> str | None:
    if request is None:
        return None
    return allowed(request.headers.get("origin"))


def allowed(origin: str | None) -> str | None:
    return origin if origin and origin in container().settings.cors_allowed_origins else None


def cors_headers(origin: str | None) -> dict[str, str]:
    """What every answer carries for a request from `origin` (None: no Origin header)."""
    headers = {"Vary": "Origin"}
    if allowed(origin) is not None:
        headers["Access-Control-Allow-Origin"] = str(origin)
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return headers


def cors_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(request)
    response.headers.update(cors_headers(request.headers.get("origin")))
    return response


def add_preflight_routes(app: Chalice) -> None:
    for path, methods in list(app.routes.items()):
        if "OPTIONS" in methods:
            continue
        allowed = ", ".join(sorted(methods))
        app.route(path, methods=["OPTIONS"], name=f"preflight_{len(app.routes)}")(
            _preflight_view(app, allowed)
        )


def _preflight_view(app: Chalice, allowed_methods: str) -> Callable[..., Response]:
    def preflight(**_path_params: str) -> Response:
        headers = {"Allow": f"{allowed_methods}, OPTIONS"}
        if allowed_origin(app.current_request) is not None:
            headers.update(
                {
                    "Access-Control-Allow-Methods": allowed_methods,
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
                }
            )
        return Response(body="", status_code=204, headers=headers)

    return preflight
