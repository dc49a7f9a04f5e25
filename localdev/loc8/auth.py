"""The service credential check in front of every /v1 path."""

from __future__ import annotations

import hmac

from flask import request

from localdev.loc8.context import services
from localdev.loc8.problems import unauthorized

# A well-known, local-only value; the local stack passes it as LOC8_API_SECRET.
DEFAULT_SERVICE_TOKEN = "loc8-local-service-token"


def require_service_token() -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = services().service_token.encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise unauthorized()
