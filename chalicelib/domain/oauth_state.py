"""The OAuth `state` parameter: signed, expiring, bound to tenant, integration and initiator.

The state is a compact HS256 JWT so a forged or altered one fails verification
without any lookup; single use is enforced separately by the state store. The PKCE
verifier is derived from the state's nonce with the same key, so no verifier is ever
stored anywhere. The Loc8 user who started the consent travels as a keyed digest of
their user id: the app and the browser see the state, and neither needs to learn who
at Loc8 asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt
from pydantic import BaseModel

from chalicelib.domain.errors import InvalidOAuthState

STATE_AUDIENCE = "loc8-integrations:oauth-state"
# Claims a state must carry, each a non-empty string (`exp` aside).
_TEXT_CLAIMS = ("jti", "tid", "iid", "app", "uid")
# Far enough for any state this service signs; keeps `exp` inside what datetime can hold.
_LATEST_EXPIRY = 4_102_444_800  # 2100-01-01


class OAuthState(BaseModel):
    nonce: str
    tenant_id: str
    integration_id: str
    app: str
    initiator_digest: str
    expires_at: datetime


class StateSigner:
    def __init__(self, key: bytes, ttl: timedelta) -> None:
        if len(key) < 32:
            raise ValueError("The state signing key must be at least 32 bytes.")
        self._key = key
        self._ttl = ttl

    def issue(
        self, tenant_id: str, integration_id: str, app: str, now: datetime, *, initiator: str
    ) -> OAuthState:
        """A new state for `initiator` (the Loc8 user id that asked to connect)."""
        return OAuthState(
            nonce=secrets.token_urlsafe(24),
            tenant_id=tenant_id,
            integration_id=integration_id,
            app=app,
            initiator_digest=self.initiator_digest(initiator),
            expires_at=now + self._ttl,
        )

    def initiator_digest(self, user_id: str) -> str:
        digest = hmac.new(self._key, f"initiator:{user_id}".encode(), hashlib.sha256).digest()
        return _b64url(digest)

    def is_initiator(self, initiator_digest: str, user_id: str) -> bool:
        return hmac.compare_digest(initiator_digest, self.initiator_digest(user_id))

    def sign(self, state: OAuthState) -> str:
        claims = {
            "jti": state.nonce,
            "tid": state.tenant_id,
            "iid": state.integration_id,
            "app": state.app,
            "uid": state.initiator_digest,
            "exp": int(state.expires_at.timestamp()),
            "aud": STATE_AUDIENCE,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str, app: str, now: datetime) -> OAuthState:
        """The state in `token`, if authentic, complete, unexpired and meant for `app`."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=STATE_AUDIENCE,
                options={"require": ["exp", "aud"], "verify_exp": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidOAuthState("The authorisation state is not valid.") from error
        # Signed by this key, yet possibly by an older release or with a claim missing:
        # whatever is wrong with it, it is the caller's bad state, never a server error.
        expires_at = datetime.fromtimestamp(_expiry(claims), tz=now.tzinfo)
        if expires_at <= now:
            raise InvalidOAuthState("The authorisation request expired; start connecting again.")
        if claims.get("app") != app:
            raise InvalidOAuthState("The authorisation state belongs to another app.")
        text = {name: _text_claim(claims, name) for name in _TEXT_CLAIMS}
        return OAuthState(
            nonce=text["jti"],
            tenant_id=text["tid"],
            integration_id=text["iid"],
            app=text["app"],
            initiator_digest=text["uid"],
            expires_at=expires_at,
        )

    def pkce_verifier(self, nonce: str) -> str:
        """The PKCE verifier of the state with this nonce."""
        digest = hmac.new(self._key, f"pkce:{nonce}".encode(), hashlib.sha256).digest()
        return _b64url(digest + hmac.new(self._key, digest, hashlib.sha256).digest())

    def derived_key(self, purpose: str) -> bytes:
        """A key of its own for `purpose`, from the state signing key."""
        return hmac.new(self._key, f"key:{purpose}".encode(), hashlib.sha256).digest()


def _expiry(claims: dict[str, Any]) -> int:
    expiry = claims.get("exp")
    if isinstance(expiry, bool) or not isinstance(expiry, int) or not 0 < expiry < _LATEST_EXPIRY:
        raise InvalidOAuthState("The authorisation state is not valid.")
    return expiry


def _text_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidOAuthState("The authorisation state is not valid.")
    return value


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
