"""Xero's OAuth 2.0 rules: codes, grants, token rotation, revocation, bearer checks.

Every public method takes ``state.lock`` for its whole duration, so e.g. two
concurrent refreshes with the same token are decided one after the other.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from localdev.emukit import Clock
from localdev.xero import tokens
from localdev.xero.errors import BearerError, OAuthError
from localdev.xero.models import (
    AccessToken,
    AuthorizationCode,
    Connection,
    Grant,
    RefreshToken,
    TokenSet,
)
from localdev.xero.state import EmulatorState

ACCESS_TOKEN_LIFETIME = timedelta(seconds=1800)
CODE_LIFETIME = timedelta(minutes=5)
REFRESH_TOKEN_IDLE_LIFETIME = timedelta(days=60)
# Xero lets a used refresh token be replayed this long, for clients that lost the response.
REFRESH_TOKEN_REUSE_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class AuthorizeRequest:
    """A validated /identity/connect/authorize query."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str
    nonce: str | None


def _expired_detail(expires_at: datetime) -> str:
    # Xero words it like this, in US date order, UTC.
    return f"TokenExpired: token expired at {expires_at:%m/%d/%Y %H:%M:%S}"


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

    def issue_code(self, request: AuthorizeRequest, tenant_ids: tuple[str, ...]) -> str:
        code = tokens.opaque_token()
        with self._state.lock:
            self._state.codes[code] = AuthorizationCode(
                code=code,
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                scopes=request.scopes,
                code_challenge=request.code_challenge,
                tenant_ids=tenant_ids,
                nonce=request.nonce,
                expires_at=self._clock.now() + CODE_LIFETIME,
            )
        return code

    def exchange_code(
        self,
        client_id: str,
        code: str,
        redirect_uri: str | None,
        code_verifier: str | None,
    ) -> TokenSet:
        with self._state.lock:
            now = self._clock.now()
            record = self._state.codes.get(code)
            if record is None or record.client_id != client_id or record.redeemed:
                raise OAuthError("invalid_grant")
            # Any attempt consumes the code (as IdentityServer does), so a client
            # cannot probe verifiers or redirect URIs against one code.
            record.redeemed = True
            if now >= record.expires_at:
                raise OAuthError("invalid_grant")
            if redirect_uri != record.redirect_uri:
                raise OAuthError("invalid_grant")
            if not tokens.verifier_matches(code_verifier, record.code_challenge):
                raise OAuthError("invalid_grant")
            grant = Grant(
                auth_event_id=str(uuid.uuid4()),
                client_id=client_id,
                user_id=self._state.user.user_id,
                scopes=record.scopes,
                tenant_ids=record.tenant_ids,
                created_at=now,
                nonce=record.nonce,
            )
            self._state.grants[grant.auth_event_id] = grant
            self._connect_tenants(grant, now)
            return self._mint(grant, now)

    def refresh(
        self,
        client_id: str,
        refresh_token: str,
        requested_scopes: tuple[str, ...],
    ) -> TokenSet:
        with self._state.lock:
            now = self._clock.now()
            record = self._state.refresh_tokens.get(refresh_token)
            if record is None:
                raise OAuthError("invalid_grant")
            grant = self._state.grants[record.auth_event_id]
            if grant.client_id != client_id or grant.revoked:
                raise OAuthError("invalid_grant")
            if not set(requested_scopes) <= set(grant.scopes):
                raise OAuthError("invalid_scope")
            if record.first_used_at is None:
                if now - record.issued_at > REFRESH_TOKEN_IDLE_LIFETIME:
                    raise OAuthError("invalid_grant")
                record.first_used_at = now
            elif now - record.first_used_at > REFRESH_TOKEN_REUSE_GRACE:
                raise OAuthError("invalid_grant")
            return self._mint(grant, now)

    def revoke(self, client_id: str, token: str) -> None:
        """Revoke the grant behind a refresh token; unknown tokens are ignored (RFC 7009).

        Xero: revoking "revokes a user's refresh token and removes all their connections
        to your app". The user's other consents keep their tokens (they still refresh)
        but reach no organisation until one is connected again.
        """
        with self._state.lock:
            record = self._state.refresh_tokens.get(token)
            if record is None:
                return
            grant = self._state.grants[record.auth_event_id]
            if grant.client_id != client_id or grant.revoked:
                return
            grant.revoked_at = self._clock.now()
            # Xero removes all of the user's connections to the app, not only this grant's.
            for connection in self._state.connections.values():
                if connection.client_id == grant.client_id and connection.user_id == grant.user_id:
                    connection.active = False

    def grant_for_access_token(self, token: str | None) -> Grant:
        with self._state.lock:
            record = self._state.access_tokens.get(token or "")
            if record is None:
                raise BearerError("AuthenticationUnsuccessful")
            grant = self._state.grants[record.auth_event_id]
            if grant.revoked:
                raise BearerError("AuthenticationUnsuccessful")
            if self._clock.now() >= record.expires_at:
                raise BearerError(_expired_detail(record.expires_at))
            return grant

    def connections_for(self, grant: Grant, auth_event_id: str | None = None) -> list[Connection]:
        """Xero lists every tenant this user connected to the app, across auth events."""
        with self._state.lock:
            return [
                connection
                for connection in self._state.connections.values()
                if connection.active
                and connection.client_id == grant.client_id
                and connection.user_id == grant.user_id
                and (auth_event_id is None or connection.auth_event_id == auth_event_id)
            ]

    def delete_connection(self, grant: Grant, connection_id: str) -> bool:
        """DELETE /connections/{id}: only that tenant goes; every grant's tokens stay valid
        (a token left with no connection still refreshes and lists no connections)."""
        with self._state.lock:
            for connection in self.connections_for(grant):
                if connection.id == connection_id:
                    connection.active = False
                    return True
            return False

    def disconnect_in_xero(self, tenant_id: str) -> bool:
        """The user disconnects the app from one organisation in Xero (Settings > Connected
        apps): like DELETE /connections/{id}, the tokens are untouched. False if the app
        had no connection to it."""
        with self._state.lock:
            removed = False
            for connection in self._state.connections.values():
                if (
                    connection.active
                    and connection.tenant_id == tenant_id
                    and connection.client_id == self._state.registered_app.client_id
                ):
                    connection.active = False
                    removed = True
            return removed

    def _connect_tenants(self, grant: Grant, now: datetime) -> None:
        existing = {
            connection.tenant_id: connection
            for connection in self._state.connections.values()
            if connection.client_id == grant.client_id and connection.user_id == grant.user_id
        }
        for tenant_id in grant.tenant_ids:
            if tenant_id not in self._state.organisations:
                continue
            connection = existing.get(tenant_id)
            if connection is None:
                connection = Connection(
                    id=str(uuid.uuid4()),
                    client_id=grant.client_id,
                    user_id=grant.user_id,
                    tenant_id=tenant_id,
                    auth_event_id=grant.auth_event_id,
                    created_at=now,
                    updated_at=now,
                )
                self._state.connections[connection.id] = connection
            else:
                connection.auth_event_id = grant.auth_event_id
                connection.updated_at = now
                connection.active = True

    def _mint(self, grant: Grant, now: datetime) -> TokenSet:
        user = self._state.user
        expires_at = now + ACCESS_TOKEN_LIFETIME
        access_token = tokens.access_token_jwt(
            client_id=grant.client_id,
            user_id=user.user_id,
            global_session_id=user.global_session_id,
            auth_event_id=grant.auth_event_id,
            scopes=grant.scopes,
            issued_at=now,
            expires_at=expires_at,
            auth_time=grant.created_at,
        )
        self._state.access_tokens[access_token] = AccessToken(
            token=access_token,
            auth_event_id=grant.auth_event_id,
            issued_at=now,
            expires_at=expires_at,
        )
        refresh_token = None
        if "offline_access" in grant.scopes:
            refresh_token = tokens.opaque_token()
            self._state.refresh_tokens[refresh_token] = RefreshToken(
                token=refresh_token, auth_event_id=grant.auth_event_id, issued_at=now
            )
        id_token = None
        if "openid" in grant.scopes:
            id_token = tokens.id_token_jwt(
                client_id=grant.client_id,
                user_id=user.user_id,
                email=user.email,
                given_name=user.given_name,
                family_name=user.family_name,
                global_session_id=user.global_session_id,
                scopes=grant.scopes,
                issued_at=now,
                auth_time=grant.created_at,
                nonce=grant.nonce,
            )
        return TokenSet(
            access_token=access_token,
            expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            scopes=grant.scopes,
            refresh_token=refresh_token,
            id_token=id_token,
        )
