"""The OAuth `state` parameter: signed, expiring, bound to tenant and integration.

The state is a compact HS256 JWT so a forged or altered one fails verification
without any lookup; single use is enforced separately by the state store. The PKCE
verifier is derived from the state's nonce with the same key, so no verifier is ever
stored anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import jwt
from pydantic import BaseModel

from chalicelib.domain.errors import InvalidOAuthState

STATE_AUDIENCE = "loc8-integrations:oauth-state"


class OAuthState(BaseModel):
    nonce: str
    tenant_id: str
    integration_id: str
    app: str
    expires_at: datetime


class StateSigner:
    def __init__(self, key: bytes, ttl: timedelta) -> None:
        if len(key) < 32:
            raise ValueError("The state signing key must be at least 32 bytes.")
        self._key = key
        self._ttl = ttl

    def issue(self, tenant_id: str, integration_id: str, app: str, now: datetime) -> OAuthState:
        return OAuthState(
            nonce=secrets.token_urlsafe(24),
            tenant_id=tenant_id,
            integration_id=integration_id,
            app=app,
            expires_at=now + self._ttl,
        )

    def sign(self, state: OAuthState) -> str:
        claims = {
            "jti": state.nonce,
            "tid": state.tenant_id,
            "iid": state.integration_id,
            "app": state.app,
            "exp": int(state.expires_at.timestamp()),
            "aud": STATE_AUDIENCE,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str, app: str, now: datetime) -> OAuthState:
        """The state `token` carries, if it is authentic, unexpired and meant for `app`."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=STATE_AUDIENCE,
                options={"require": ["jti", "exp", "aud"], "verify_exp": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidOAuthState("The authorisation state is not valid.") from error
        expires_at = datetime.fromtimestamp(claims["exp"], tz=now.tzinfo)
        if expires_at <= now:
            raise InvalidOAuthState("The authorisation request expired; start connecting again.")
        if claims.get("app") != app:
            raise InvalidOAuthState("The authorisation state belongs to another app.")
        return OAuthState(
            nonce=claims["jti"],
            tenant_id=claims["tid"],
            integration_id=claims["iid"],
            app=claims["app"],
            expires_at=expires_at,
        )

    def pkce_verifier(self, state: OAuthState) -> str:
        digest = hmac.new(self._key, f"pkce:{state.nonce}".encode(), hashlib.sha256).digest()
        return _b64url(digest + hmac.new(self._key, digest, hashlib.sha256).digest())


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
