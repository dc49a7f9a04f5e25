"""Token material: opaque random strings, PKCE checks and JWT-shaped tokens.

Access and id tokens are HS256 JWTs signed with a per-process random key. Clients
may decode them (as with real Xero, e.g. to read ``authentication_event_id``) but
cannot verify them against Xero's JWKS; nothing in the emulator trusts the
signature either, since tokens are looked up by value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from datetime import datetime
from typing import Any

import jwt

ISSUER = "https://identity.xero.com"
RESOURCE_AUDIENCE = "https://identity.xero.com/resources"

_SIGNING_KEY = secrets.token_bytes(32)
# RFC 7636 section 4.1: 43-128 characters from the unreserved set.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
# base64url(SHA-256) without padding is always 43 characters.
_S256_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")


def opaque_token() -> str:
    return secrets.token_urlsafe(32)


def is_valid_challenge(challenge: str) -> bool:
    return bool(_S256_CHALLENGE.match(challenge))


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str | None, challenge: str) -> bool:
    if not verifier or not _VERIFIER.match(verifier):
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def access_token_jwt(
    *,
    client_id: str,
    user_id: str,
    global_session_id: str,
    auth_event_id: str,
    scopes: tuple[str, ...],
    issued_at: datetime,
    expires_at: datetime,
    auth_time: datetime,
) -> str:
    claims: dict[str, Any] = {
        "nbf": _epoch(issued_at),
        "exp": _epoch(expires_at),
        "iss": ISSUER,
        "aud": RESOURCE_AUDIENCE,
        "client_id": client_id,
        "sub": user_id,
        "auth_time": _epoch(auth_time),
        "xero_userid": user_id,
        "global_session_id": global_session_id,
        "sid": global_session_id,
        "jti": uuid.uuid4().hex,
        "authentication_event_id": auth_event_id,
        "scope": list(scopes),
    }
    return jwt.encode(claims, _SIGNING_KEY, algorithm="HS256")


def id_token_jwt(
    *,
    client_id: str,
    user_id: str,
    email: str,
    given_name: str,
    family_name: str,
    global_session_id: str,
    scopes: tuple[str, ...],
    issued_at: datetime,
    auth_time: datetime,
    nonce: str | None,
) -> str:
    claims: dict[str, Any] = {
        "nbf": _epoch(issued_at),
        "exp": _epoch(issued_at) + 300,
        "iss": ISSUER,
        "aud": client_id,
        "iat": _epoch(issued_at),
        "auth_time": _epoch(auth_time),
        "sub": user_id,
        "xero_userid": user_id,
        "global_session_id": global_session_id,
        "sid": global_session_id,
    }
    if nonce:
        claims["nonce"] = nonce
    if "email" in scopes:
        claims["email"] = email
    if "profile" in scopes:
        claims.update(
            given_name=given_name,
            family_name=family_name,
            preferred_username=email,
        )
    return jwt.encode(claims, _SIGNING_KEY, algorithm="HS256")
