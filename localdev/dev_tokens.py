"""Loc8-style JWTs for the local stack and the tests (HS256 with the dev secret)."""

from __future__ import annotations

import time

import jwt

LOCAL_JWT_SECRET = "loc8-local-dev-jwt-secret-not-for-production"
LOCAL_ISSUER = "loc8"
AUDIENCE = "loc8-integrations"


def mint_token(
    tenant_id: str,
    roles: list[str],
    *,
    secret: str = LOCAL_JWT_SECRET,
    user_id: str = "user-local",
    lifetime_seconds: int = 12 * 3600,
    issuer: str = LOCAL_ISSUER,
    audience: str = AUDIENCE,
    now: float | None = None,
) -> str:
    issued_at = int(now if now is not None else time.time())
    claims = {
        "sub": user_id,
        "tenant_id": tenant_id,
        "roles": roles,
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "iss": issuer,
        "aud": audience,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
