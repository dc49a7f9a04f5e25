"""Token material: opaque access and refresh tokens, and RS256-signed id tokens.

Intuit's access and refresh tokens are opaque to clients; the emulator makes random
strings and looks them up by value. Id tokens are JWTs a client verifies against the
JWKS the discovery document names (intuit-oauth does: `iss`, `aud[0]`, `exp`, and the
RS256 signature by `kid`), so they are signed with a per-process RSA key whose public
half `/op/v1/jwks` serves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ID_TOKEN_LIFETIME_SECONDS = 3600

_PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY_ID = secrets.token_hex(8)
# RFC 7636 section 4.1: 43-128 characters from the unreserved set.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def access_token() -> str:
    # Intuit's are long JWE-looking strings; clients must treat them as opaque.
    return f"eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..{secrets.token_urlsafe(48)}"


def refresh_token(expires_at: datetime) -> str:
    # Intuit's start "AB11" followed by the expiry's epoch seconds.
    return f"AB11{int(expires_at.timestamp())}{secrets.token_urlsafe(27)}"


def authorization_code() -> str:
    return f"AB11{secrets.token_urlsafe(30)}"


def is_valid_challenge(challenge: str) -> bool:
    return bool(_S256_CHALLENGE.match(challenge))


def verifier_matches(verifier: str | None, challenge: str) -> bool:
    if not verifier or not _VERIFIER.match(verifier):
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(expected, challenge)


def jwks() -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_PRIVATE_KEY.public_key()))
    public.update(kid=KEY_ID, use="sig", alg="RS256")
    return {"keys": [public]}


def id_token(
    *,
    issuer: str,
    client_id: str,
    user_id: str,
    realm_id: str | None,
    issued_at: datetime,
    auth_time: datetime,
) -> str:
    iat = int(issued_at.timestamp())
    claims: dict[str, Any] = {
        "sub": user_id,
        # Intuit sends the audience as a list; intuit-oauth reads aud[0].
        "aud": [client_id],
        "auth_time": int(auth_time.timestamp()),
        "iss": issuer,
        "exp": iat + ID_TOKEN_LIFETIME_SECONDS,
        "iat": iat,
    }
    if realm_id is not None:
        claims["realmid"] = realm_id
    return jwt.encode(claims, _PRIVATE_KEY, algorithm="RS256", headers={"kid": KEY_ID})
