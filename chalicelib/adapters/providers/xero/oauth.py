"""Xero's identity service: consent URL, code exchange, refresh, revoke, connections."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from urllib.parse import urlencode

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.domain.errors import AccessRevoked, ProviderRejected, ProviderUnavailable
from chalicelib.domain.integration import Organisation
from chalicelib.domain.tokens import TokenSet
from chalicelib.observability import logger
from chalicelib.ports import Clock

APP_NAME = "Xero"


class XeroOAuth:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: Callable[[], str],
        redirect_uri: str,
        scopes: list[str],
        authorize_url: str,
        token_url: str,
        revocation_url: str,
        api_url: str,
        timeout: tuple[float, float],
        clock: Clock,
        session: requests.Session | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._scopes = scopes
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._revocation_url = revocation_url
        self._connections_url = f"{api_url.rstrip('/')}/connections"
        self._timeout = timeout
        self._clock = clock
        self._session = session or requests.Session()

    def authorization_url(self, state: str, code_challenge: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self._redirect_uri,
                "scope": " ".join(self._scopes),
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self._authorize_url}?{query}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        response = self._token_request(
            "exchange_code",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._redirect_uri,
                "code_verifier": code_verifier,
            },
        )
        if response.status_code == 400:
            raise ProviderRejected(
                "Xero did not accept the authorisation code (it may have expired); "
                "start connecting again."
            )
        return self._token_set(response)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if tokens.refresh_token is None:
            raise AccessRevoked("Xero gave no refresh token; reconnect to resume syncing.")
        response = self._token_request(
            "refresh",
            {
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token.get_secret_value(),
            },
        )
        if response.status_code == 400 and _oauth_error(response) == "invalid_grant":
            raise AccessRevoked("Xero access was revoked; reconnect to resume syncing.")
        return self._token_set(response)

    def revoke(self, tokens: TokenSet) -> None:
        """Revoke the grant only while the Xero user has no connection left to the app.

        Xero's revocation "revokes a user's refresh token and removes all their
        connections to your app": connections belong to the Xero user and the app, not
        to one consent, so one login behind two Loc8 businesses shares them. Any
        connection still listed may be another integration's, so the grant is then left
        to lapse (unused for 60 days) rather than revoked.
        """
        if tokens.refresh_token is None:
            return
        try:
            still_connected = self._connections(tokens)
        except AccessRevoked:
            return  # Xero no longer accepts the token: nothing left to give up.
        if still_connected:
            logger.info("Xero grant left to lapse: the Xero user has other connections")
            return
        self._revoke_grant(tokens.refresh_token.get_secret_value())

    def disconnect(self, tokens: TokenSet, organisation: Organisation | None) -> None:
        """Remove this integration's own organisation (DELETE /connections/{id}, which
        touches no other tenant), then revoke the grant if nobody else relies on it."""
        if organisation is not None:
            self.disconnect_organisation(tokens, organisation)
        self.revoke(tokens)

    def _revoke_grant(self, refresh_token: str) -> None:
        response = send(
            APP_NAME,
            "revoke",
            self._session,
            "POST",
            self._revocation_url,
            data={"token": refresh_token},
            auth=(self._client_id, self._client_secret()),
            timeout=self._timeout,
        )
        # 400 means the token is already unusable, which is what revoking wants.
        if response.status_code not in (200, 400):
            raise ProviderRejected(f"Xero refused to revoke access (HTTP {response.status_code}).")

    def organisation_named_in(self, callback: Mapping[str, str]) -> str | None:
        # Xero's redirect names no organisation: the connections say what was granted.
        return None

    def granted_organisations(
        self, tokens: TokenSet, named_organisation: str | None = None
    ) -> list[Organisation]:
        """The organisations this consent granted: Xero lists every organisation the
        Xero user ever connected to the app, so only the connections of the token's
        own auth event count."""
        auth_event_id = _auth_event_id(tokens)
        response = send(
            APP_NAME,
            "list_connections",
            self._session,
            "GET",
            self._connections_url,
            params={"authEventId": auth_event_id},
            headers=self._bearer(tokens),
            timeout=self._timeout,
        )
        self._raise_for_api_status(response)
        return [
            Organisation(
                id=connection["tenantId"],
                name=connection.get("tenantName") or connection["tenantId"],
                connection_id=connection["id"],
            )
            for connection in response.json()
            if connection.get("tenantType", "ORGANISATION") == "ORGANISATION"
            and connection.get("authEventId") == auth_event_id
        ]

    def _connections(self, tokens: TokenSet) -> list[dict[str, object]]:
        """Every connection the Xero user behind the token has to this app, any consent."""
        response = send(
            APP_NAME,
            "list_connections",
            self._session,
            "GET",
            self._connections_url,
            headers=self._bearer(tokens),
            timeout=self._timeout,
        )
        self._raise_for_api_status(response)
        listed = response.json()
        return [c for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []

    def disconnect_organisation(self, tokens: TokenSet, organisation: Organisation) -> None:
        """Remove only this organisation's connection; already removed counts as done."""
        if organisation.connection_id is None:
            return
        response = send(
            APP_NAME,
            "delete_connection",
            self._session,
            "DELETE",
            f"{self._connections_url}/{organisation.connection_id}",
            headers=self._bearer(tokens),
            timeout=self._timeout,
        )
        if response.status_code == 404:
            return
        self._raise_for_api_status(response)

    def _token_request(self, operation: str, form: dict[str, str]) -> requests.Response:
        response = send(
            APP_NAME,
            operation,
            self._session,
            "POST",
            self._token_url,
            data=form,
            auth=(self._client_id, self._client_secret()),
            headers={"Accept": "application/json"},
            timeout=self._timeout,
        )
        if response.status_code == 401:
            raise ProviderUnavailable(
                "Xero rejected this service's client credentials; the operator must fix "
                "the Xero app configuration."
            )
        return response

    def _token_set(self, response: requests.Response) -> TokenSet:
        if response.status_code != 200:
            raise ProviderRejected(f"Xero refused the token request (HTTP {response.status_code}).")
        body = response.json()
        scopes = body.get("scope") or " ".join(self._scopes)
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            expires_at=self._clock.now() + timedelta(seconds=int(body.get("expires_in", 1800))),
            scopes=scopes.split() if isinstance(scopes, str) else list(scopes),
        )

    @staticmethod
    def _bearer(tokens: TokenSet) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {tokens.access_token.get_secret_value()}",
            "Accept": "application/json",
        }

    @staticmethod
    def _raise_for_api_status(response: requests.Response) -> None:
        if response.status_code == 401:
            raise AccessRevoked("Xero access was revoked; reconnect to resume syncing.")
        if response.status_code == 403:
            raise AccessRevoked("Xero no longer grants access to this organisation; reconnect.")
        if not 200 <= response.status_code < 300:
            raise ProviderRejected(f"Xero refused the request (HTTP {response.status_code}).")


def _auth_event_id(tokens: TokenSet) -> str:
    """The consent (auth event) behind the token set, which Xero names in its access token.

    The token came straight from Xero's token endpoint over TLS, so its claims are read
    without checking the signature; nothing here grants access on their strength.
    """
    import jwt  # only the consent needs it; the sync worker never does

    try:
        claims = jwt.decode(
            tokens.access_token.get_secret_value(), options={"verify_signature": False}
        )
    except jwt.PyJWTError:
        claims = {}
    auth_event_id = claims.get("authentication_event_id") if isinstance(claims, dict) else None
    if not isinstance(auth_event_id, str) or not auth_event_id:
        raise ProviderRejected(
            "Xero did not say which organisations this consent granted; start connecting again."
        )
    return auth_event_id


def _oauth_error(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None
