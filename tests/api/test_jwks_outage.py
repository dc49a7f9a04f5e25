"""A JWKS outage answers a retryable 503 problem, never a 401 that logs the user out."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.settings import make_settings

UNREACHABLE_JWKS = "http://127.0.0.1:9/.well-known/jwks.json"


@pytest.fixture
def settings():
    return make_settings(jwt_secret=None, jwt_jwks_url=UNREACHABLE_JWKS)


def rs256_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {
        "sub": "u1",
        "tenant_id": "tenant-a",
        "roles": ["admin"],
        "exp": int(time.time()) + 600,
        "iss": "loc8",
        "aud": "loc8-integrations",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "key-1"})


def test_a_jwks_outage_is_a_503_problem_with_retry_after(api):
    response = api.http.get(
        "/v1/integrations", headers={"Authorization": f"Bearer {rs256_token()}"}
    )
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json_body["type"] == "urn:loc8:problem:temporarily-unavailable"
