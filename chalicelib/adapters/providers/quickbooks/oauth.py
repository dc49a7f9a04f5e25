"""Intuit's OAuth 2.0: consent URL, code exchange, refresh, revoke, the granted company.

One consent grants one company (realm), named by the callback's `realmId`; there is
no list of connections to ask. Access tokens last an hour; refresh tokens roll (100
days from last use) and may change on any refresh, so the newest is always kept.
Intuit documents no PKCE for its confidential web-app clients: the consent URL
carries only what Intuit names (client_id, response_type, scope, redirect_uri,
state), and the code is exchanged with the client secret (HTTP Basic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from urllib.parse import urlencode

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.adapters.providers.quickbooks.failures import fault_errors
from chalicelib.adapters.providers.quickbooks.profile import QUICKBOOKS_PROFILE
from chalicelib.domain.errors import (
    AccessRevoked,
    InvalidRequest,
    ProviderRejected,
    ProviderUnavailable,
)
from chalicelib.domain.integration import Organisation
from chalicelib.domain.tokens import TokenSet
from chalicelib.ports import Clock

APP_NAME = QUICKBOOKS_PROFILE.name
# Intuit's access tokens last an hour when the answer does not say.
DEFAULT_EXPIRES_IN = 3600


class QuickBooksOAuth:
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
        minor_version: int,
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
        self._api_url = api_url.rstrip("/")
        self._minor_version = str(minor_version)
        self._timeout = timeout
        self._clock = clock
        self._session = session or requests.Session()

    def authorization_url(self, state: str, code_challenge: str) -> str:
        del code_challenge  # Intuit takes no PKCE; the state and client secret protect it
        query = urlencode(
            {
                "client_id": self._client_id,
                "response_type": "code",
                "scope": " ".join(self._scopes),
                "redirect_uri": self._redirect_uri,
                "state": state,
            }
        )
        return f"{self._authorize_url}?{query}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        del code_verifier
        response = self._token_request(
            "exchange_code",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self._redirect_uri},
        )
        if response.status_code == 400:
            raise ProviderRejected(
                "QuickBooks Online did not accept the authorisation code (it may have "
                "expired); start connecting again."
            )
        return self._token_set(response)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """The new set, with the refresh token Intuit answers (it may be a new one)."""
        if tokens.refresh_token is None:
            raise AccessRevoked(
                "QuickBooks Online gave no refresh token; reconnect to resume syncing."
            )
        response = self._token_request(
            "refresh",
            {
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token.get_secret_value(),
            },
        )
        if response.status_code == 400 and _oauth_error(response) == "invalid_grant":
            raise AccessRevoked(
                "QuickBooks Online access was revoked or expired; reconnect to resume syncing."
            )
        renewed = self._token_set(response)
        if renewed.refresh_token is None:
            renewed = renewed.model_copy(update={"refresh_token": tokens.refresh_token})
        return renewed

    def organisation_named_in(self, callback: Mapping[str, str]) -> str | None:
        """Intuit's callback names the one company the user chose as `realmId`, a number."""
        realm = callback.get("realmId") or None
        if realm is not None and not realm.isdigit():
            raise InvalidRequest("The callback's realmId is not a QuickBooks Online company id.")
        return realm

    def granted_organisations(
        self, tokens: TokenSet, named_organisation: str | None = None
    ) -> list[Organisation]:
        """The company the consent granted: the callback's realm, once the tokens are
        seen to reach it (its CompanyInfo, which also gives its name)."""
        if not named_organisation:
            raise ProviderRejected(
                "QuickBooks Online did not say which company was connected; start connecting again."
            )
        realm = named_organisation
        response = send(
            APP_NAME,
            "company_info",
            self._session,
            "GET",
            f"{self._api_url}/v3/company/{realm}/companyinfo/{realm}",
            params={"minorversion": self._minor_version},
            headers={
                "Authorization": f"Bearer {tokens.access_token.get_secret_value()}",
                "Accept": "application/json",
            },
            timeout=self._timeout,
        )
        if response.status_code in (401, 403):
            # Just granted, so the tokens work: they do not reach the company named.
            raise InvalidRequest(
                f"QuickBooks Online did not grant access to company {realm}; connect again "
                "and choose the company on QuickBooks' page."
            )
        if response.status_code != 200:
            errors = fault_errors(_json(response))
            detail = f": {errors[0].text}" if errors else ""
            raise ProviderRejected(
                f"QuickBooks Online refused to describe the company (HTTP "
                f"{response.status_code}){detail}."
            )
        info = (_json(response) or {}).get("CompanyInfo") or {}
        name = info.get("CompanyName") or info.get("LegalName") or realm
        return [Organisation(id=realm, name=str(name))]

    def revoke(self, tokens: TokenSet) -> None:
        """Revoke the grant. Intuit's revocation ends this consent: the app's access to
        the one company it named, through these tokens. A company connected in another
        consent has its own tokens and keeps them, so no other integration loses access.
        """
        token = tokens.refresh_token or tokens.access_token
        response = send(
            APP_NAME,
            "revoke",
            self._session,
            "POST",
            self._revocation_url,
            json={"token": token.get_secret_value()},
            auth=(self._client_id, self._client_secret()),
            headers={"Accept": "application/json"},
            timeout=self._timeout,
        )
        # 400: the token is already unusable, which is what revoking wants.
        if response.status_code not in (200, 400):
            if response.status_code == 401:
                raise ProviderUnavailable(
                    "QuickBooks Online rejected this service's client credentials; the "
                    "operator must fix the QuickBooks app configuration."
                )
            raise ProviderRejected(
                f"QuickBooks Online refused to revoke access (HTTP {response.status_code})."
            )

    def disconnect(self, tokens: TokenSet, organisation: Organisation | None) -> None:
        """Intuit has no per-company connection to remove apart from the grant itself
        (one consent, one company): disconnecting is revoking."""
        del organisation
        self.revoke(tokens)

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
                "QuickBooks Online rejected this service's client credentials; the operator "
                "must fix the QuickBooks app configuration."
            )
        return response

    def _token_set(self, response: requests.Response) -> TokenSet:
        if response.status_code != 200:
            raise ProviderRejected(
                f"QuickBooks Online refused the token request (HTTP {response.status_code})."
            )
        body = response.json()
        expires_in = int(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            expires_at=self._clock.now() + timedelta(seconds=expires_in),
            # Intuit's token answer names no scope: the granted scope is the one asked.
            scopes=str(body.get("scope") or " ".join(self._scopes)).split(),
        )


def _json(response: requests.Response) -> dict[str, object] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _oauth_error(response: requests.Response) -> str | None:
    body = _json(response)
    error = body.get("error") if body else None
    return str(error) if error else None
