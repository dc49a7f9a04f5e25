"""Intuit's OAuth 2.0 rules: codes, grants (one company each), token rotation, revocation
and the bearer check the API gateway makes.

Every public method takes ``state.lock`` for its whole duration, so two concurrent
refreshes with the same token are decided one after the other.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from localdev.emukit import Clock
from localdev.quickbooks import tokens
from localdev.quickbooks.errors import BearerError, OAuthError
from localdev.quickbooks.models import (
    AccessToken,
    AuthorizationCode,
    Grant,
    RefreshToken,
    TokenSet,
)
from localdev.quickbooks.state import EmulatorState

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3600)
CODE_LIFETIME = timedelta(minutes=5)
# What Intuit announces in x_refresh_token_expires_in (101 days; its docs say "100 days").
REFRESH_TOKEN_LIFETIME = timedelta(seconds=8_726_400)
# Since 2025 a refresh token chain ends five years after the consent, however often used.
REFRESH_TOKEN_HARD_LIFETIME = timedelta(days=5 * 365)


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated /connect/oauth2 query."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str | None


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


class OAuthService:
    def __init__(self, state: EmulatorState, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> None:
        app = self._state.registered_app
        if not client_id or client_secret is None:
            raise OAuthError("invalid_client", 401)
        id_ok = hmac.compare_digest(client_id.encode(), app.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), app.client_secret.encode())
        if not (id_ok and secret_ok):
            raise OAuthError("invalid_client", 401)

    def issue_code(self, request: AuthorizeRequest, realm_id: str | None) -> str:
        code = tokens.authorization_code()
        with self._state.lock:
            self._state.codes[code] = AuthorizationCode(
                code=code,
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                scopes=request.scopes,
                realm_id=realm_id,
                code_challenge=request.code_challenge,
                expires_at=self._clock.now() + CODE_LIFETIME,
            )
        return code

    def exchange_code(
        self,
        client_id: str,
        code: str,
        redirect_uri: str | None,
        code_verifier: str | None,
        *,
        issuer: str,
        hard_expiry_wanted: bool = False,
    ) -> TokenSet:
        with self._state.lock:
            now = self._clock.now()
            record = self._state.codes.get(code)
            if record is None or record.client_id != client_id or record.redeemed:
                raise OAuthError("invalid_grant")
            # Any attempt consumes the code, so a client cannot probe redirect URIs or
            # verifiers against one code.
            record.redeemed = True
            if now >= record.expires_at or redirect_uri != record.redirect_uri:
                raise OAuthError("invalid_grant")
            if record.code_challenge is not None and not tokens.verifier_matches(
                code_verifier, record.code_challenge
            ):
                raise OAuthError("invalid_grant")
            grant = Grant(
                grant_id=str(uuid.uuid4()),
                client_id=client_id,
                user_id=self._state.user.user_id,
                realm_id=record.realm_id,
                scopes=record.scopes,
                created_at=now,
            )
            self._state.grants[grant.grant_id] = grant
            return self._mint(grant, now, issuer=issuer, hard_expiry_wanted=hard_expiry_wanted)

    def refresh(
        self, client_id: str, refresh_token: str, *, hard_expiry_wanted: bool = False
    ) -> TokenSet:
        """A new access token and a new refresh token; the one used is spent (rotation on
        every refresh, stricter than Intuit, which may hand the same one back for a day)."""
        with self._state.lock:
            now = self._clock.now()
            record = self._state.refresh_tokens.get(refresh_token)
            if record is None or record.used_at is not None or now >= record.expires_at:
                raise OAuthError("invalid_grant")
            grant = self._state.grants[record.grant_id]
            if grant.client_id != client_id or grant.revoked:
                raise OAuthError("invalid_grant")
            record.used_at = now
            return self._mint(grant, now, issuer=None, hard_expiry_wanted=hard_expiry_wanted)

    def revoke(self, client_id: str, token: str) -> None:
        """Revoke the grant behind a refresh or access token: the app loses that company
        and every token of the consent stops working. Unknown tokens are ignored
        (RFC 7009 section 2.2)."""
        with self._state.lock:
            grant = self._grant_of_token(token)
            if grant is None or grant.client_id != client_id or grant.revoked:
                return
            grant.revoked_at = self._clock.now()

    def grant_for_access_token(self, token: str) -> Grant:
        with self._state.lock:
            record = self._state.access_tokens.get(token)
            if record is None:
                raise BearerError("Token invalid")
            grant = self._state.grants[record.grant_id]
            if grant.revoked:
                raise BearerError("Token revoked")
            if self._clock.now() >= record.expires_at:
                raise BearerError("Token expired")
            return grant

    def expire_access_tokens(self, realm_id: str | None = None) -> int:
        """Control: end the life of every live access token (of one company, if given)
        now, as if an hour had passed for them. Returns how many were live."""
        with self._state.lock:
            now = self._clock.now()
            expired = 0
            for record in self._state.access_tokens.values():
                grant = self._state.grants[record.grant_id]
                if realm_id is not None and grant.realm_id != realm_id:
                    continue
                if record.expires_at > now:
                    record.expires_at = now
                    expired += 1
            return expired

    def disconnect_in_quickbooks(self, realm_id: str) -> int:
        """Play the user disconnecting the app from a company in QuickBooks (Apps >
        My apps > Disconnect): its live grants are revoked. Returns how many."""
        with self._state.lock:
            now = self._clock.now()
            revoked = 0
            for grant in self._state.grants.values():
                if grant.realm_id == realm_id and not grant.revoked:
                    grant.revoked_at = now
                    revoked += 1
            return revoked

    def grants(self) -> list[Grant]:
        with self._state.lock:
            return list(self._state.grants.values())

    def _grant_of_token(self, token: str) -> Grant | None:
        refresh = self._state.refresh_tokens.get(token)
        if refresh is not None:
            return self._state.grants[refresh.grant_id]
        access = self._state.access_tokens.get(token)
        if access is not None:
            return self._state.grants[access.grant_id]
        return None

    def _mint(
        self, grant: Grant, now: datetime, *, issuer: str | None, hard_expiry_wanted: bool
    ) -> TokenSet:
        hard_expires_at = grant.created_at + REFRESH_TOKEN_HARD_LIFETIME
        access = AccessToken(
            token=tokens.access_token(),
            grant_id=grant.grant_id,
            issued_at=now,
            expires_at=now + ACCESS_TOKEN_LIFETIME,
        )
        refresh_expires_at = min(now + REFRESH_TOKEN_LIFETIME, hard_expires_at)
        refresh = RefreshToken(
            token=tokens.refresh_token(refresh_expires_at),
            grant_id=grant.grant_id,
            issued_at=now,
            expires_at=refresh_expires_at,
        )
        self._state.access_tokens[access.token] = access
        self._state.refresh_tokens[refresh.token] = refresh
        id_token = None
        # Intuit sends an id token with the code exchange only, never on refresh.
        if issuer is not None and "openid" in grant.scopes:
            id_token = tokens.id_token(
                issuer=issuer,
                client_id=grant.client_id,
                user_id=grant.user_id,
                realm_id=grant.realm_id,
                issued_at=now,
                auth_time=grant.created_at,
            )
        return TokenSet(
            access_token=access.token,
            expires_in=_seconds(ACCESS_TOKEN_LIFETIME),
            refresh_token=refresh.token,
            refresh_token_expires_in=_seconds(refresh_expires_at - now),
            refresh_token_hard_expires_in=(
                _seconds(hard_expires_at - now) if hard_expiry_wanted else None
            ),
            id_token=id_token,
        )
