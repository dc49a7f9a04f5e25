"""Loc8 JWTs: who is calling, for which tenant, with which roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from chalice.app import Request

from chalicelib.domain.errors import NotAllowed, NotAuthenticated, TemporarilyUnavailable
from chalicelib.observability import logger

ADMIN_ROLE = "admin"
REQUIRED_CLAIMS = ["sub", "tenant_id", "exp", "iss", "aud"]
UNKNOWN_KID_COOLDOWN_SECONDS = 10
JWKS_RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


class JwksUnavailable(TemporarilyUnavailable):
    """Loc8's JWKS could not be read, so no RS256 token can be checked right now."""

    def __init__(self) -> None:
        super().__init__("Token keys are unavailable; try again shortly.", JWKS_RETRY_AFTER_SECONDS)


class JwksKeys:
    """RS256 public keys from Loc8's JWKS URL through PyJWT's `PyJWKClient`: the key set
    is cached for `max_age_seconds`, and a token with an unknown kid refetches it at
    most once per `unknown_kid_cooldown_seconds` (a burst of forged kids cannot hammer
    the endpoint, a rotated key is picked up soon)."""

    def __init__(
        self,
        url: str,
        timeout: float | tuple[float, float],
        max_age_seconds: int = 300,
        unknown_kid_cooldown_seconds: float = UNKNOWN_KID_COOLDOWN_SECONDS,
    ) -> None:
        # urllib applies one timeout to the connect and to each read: the larger one.
        per_operation = max(timeout) if isinstance(timeout, tuple) else timeout
        self._key_source = jwt.PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=max_age_seconds,
            timeout=per_operation,
            cooldown_duration=unknown_kid_cooldown_seconds,
        )

    def key_for(self, kid: str | None) -> Any:
        if not kid:
            raise NotAuthenticated("The token names no signing key.")
        try:
            # The cached set (fetched when missing or older than its lifespan): a
            # failure here is the endpoint's, never the token's.
            self._key_source.get_signing_keys()
        except (jwt.PyJWKClientError, jwt.PyJWKSetError, ValueError) as error:
            logger.warning("could not load the JWKS", extra={"error": type(error).__name__})
            raise JwksUnavailable() from error
        try:
            return self._key_source.get_signing_key(kid).key
        except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError) as error:
            logger.warning("could not refetch the JWKS", extra={"error": type(error).__name__})
            raise JwksUnavailable() from error
        except jwt.PyJWKClientError as error:
            raise NotAuthenticated("The token was signed with an unknown key.") from error


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
        tenant_id, expires = claims["tenant_id"], claims["exp"]
        # PyJWT takes any exp that int() takes, so "4000000000" passed as a number.
        if (
            not isinstance(roles, list)
            or not isinstance(tenant_id, str)
            or not tenant_id.strip()
            or isinstance(expires, bool)
            or not isinstance(expires, int | float)
        ):
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
