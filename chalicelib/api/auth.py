"""Loc8 JWTs: who is calling, for which tenant, with which roles."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from chalice.app import Request

from chalicelib.domain.errors import NotAllowed, NotAuthenticated
from chalicelib.observability import logger

ADMIN_ROLE = "admin"
REQUIRED_CLAIMS = ["sub", "tenant_id", "exp", "iss", "aud"]


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


class JwksKeys:
    """RS256 public keys from Loc8's JWKS URL, cached; refetched when a kid is unknown."""

    def __init__(self, url: str, timeout: tuple[float, float], max_age_seconds: int = 300) -> None:
        self._url = url
        self._timeout = timeout
        self._max_age = max_age_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key_for(self, kid: str | None) -> Any:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > self._max_age
            if stale or kid not in self._keys:
                self._refresh()
            if kid not in self._keys:
                raise NotAuthenticated("The token was signed with an unknown key.")
            return self._keys[kid]

    def _refresh(self) -> None:
        # A burst of tokens with unknown kids must not hammer the JWKS endpoint.
        if time.monotonic() - self._fetched_at < 10 and self._keys:
            return
        try:
            response = requests.get(self._url, timeout=self._timeout)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (requests.RequestException, jwt.PyJWTError, ValueError) as error:
            logger.warning("could not load the JWKS", extra={"error": type(error).__name__})
            raise NotAuthenticated("Token keys are unavailable; try again shortly.") from error
        self._keys = {key.key_id: key.key for key in key_set.keys}
        self._fetched_at = time.monotonic()


class JwtVerifier:
    def __init__(
        self,
        *,
        audience: str,
        issuer: str,
        hs256_secret: Callable[[], str] | None = None,
        jwks: JwksKeys | None = None,
    ) -> None:
        if hs256_secret is None and jwks is None:
            raise ValueError("Configure a JWT secret or a JWKS URL.")
        self._audience = audience
        self._issuer = issuer
        self._hs256_secret = hs256_secret
        self._jwks = jwks

    def verify(self, token: str) -> Principal:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            claims = jwt.decode(
                token,
                self._key_for(token, algorithm),
                algorithms=[algorithm] if algorithm in ("HS256", "RS256") else [],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as error:
            raise NotAuthenticated("The token has expired.") from error
        except jwt.PyJWTError as error:
            raise NotAuthenticated("The token is not valid.") from error
        roles = claims.get("roles") or []
        if not isinstance(roles, list) or not isinstance(claims["tenant_id"], str):
            raise NotAuthenticated("The token's claims are malformed.")
        return Principal(
            user_id=str(claims["sub"]),
            tenant_id=claims["tenant_id"],
            roles=frozenset(str(role) for role in roles),
        )

    def _key_for(self, token: str, algorithm: str | None) -> Any:
        if algorithm == "HS256" and self._hs256_secret is not None:
            return self._hs256_secret()
        if algorithm == "RS256" and self._jwks is not None:
            return self._jwks.key_for(jwt.get_unverified_header(token).get("kid"))
        raise NotAuthenticated("The token's signing algorithm is not accepted.")


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send a Loc8 token as 'Authorization: Bearer <token>'.")
    return token.strip()


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise NotAllowed("Only a Loc8 admin can change integrations.")
