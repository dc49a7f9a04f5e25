"""MYOB's OAuth 2.0 (secure.myob.com): consent URL, code exchange, refresh, and the
company file a consent granted.

API keys from 12 March 2025 ask for granular `sme-*` scopes; the user consents to one
business, and with `prompt=consent` the redirect names it as `businessId` (and
`businessName`). Older keys (the `CompanyFile` scope) reach every file of the user and
name none: the files are listed with `GET /accountright/` and the user picks one on
the settings page. Access tokens last 20 minutes; refresh tokens rotate, so the newest
is always kept. MYOB documents no PKCE: the code is exchanged with the API secret in
the form body, as MYOB's authentication page shows.

MYOB publishes no revocation endpoint: tokens given up are left to lapse (the access
token within 20 minutes; the refresh token is never used again), and the company
file's administrator removes the app's consent in my.MYOB.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests

from chalicelib.adapters.providers.http import send
from chalicelib.adapters.providers.myob.client import LAPSED_CONSENT, api_headers
from chalicelib.adapters.providers.myob.failures import errors_of, is_rate_limited
from chalicelib.adapters.providers.myob.limits import PER_SECOND_WAIT, Pacer
from chalicelib.adapters.providers.myob.profile import MYOB_PROFILE
from chalicelib.domain.errors import (
    AccessRevoked,
    InvalidRequest,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
)
from chalicelib.domain.integration import Organisation
from chalicelib.domain.tokens import TokenSet
from chalicelib.ports import Clock

APP_NAME = MYOB_PROFILE.name
# MYOB's access tokens last 20 minutes when the answer does not say.
DEFAULT_EXPIRES_IN = 1200
NO_FILE_NAMED = (
    "MYOB Business did not say which company file was connected and lists none for this "
    "login; connect again and choose a company file."
)


class MyobOAuth:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: Callable[[], str],
        redirect_uri: str,
        scopes: list[str],
        authorize_url: str,
        token_url: str,
        api_url: str,
        prompt: str,
        timeout: tuple[float, float],
        clock: Clock,
        pacer: Pacer,
        session: requests.Session | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._redirect_uri = redirect_uri
        self._scopes = scopes
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._api_url = api_url.rstrip("/")
        self._prompt = prompt
        self._timeout = timeout
        self._clock = clock
        self._pacer = pacer
        self._session = session or requests.Session()

    def authorization_url(self, state: str, code_challenge: str) -> str:
        del code_challenge  # MYOB takes no PKCE; the state and API secret protect it
        params = {
            "client_id": self._client_id,
            "redirect_uri": self._redirect_uri,
            "response_type": "code",
            "scope": " ".join(self._scopes),
            "state": state,
        }
        if self._prompt:
            params["prompt"] = self._prompt
        return f"{self._authorize_url}?{urlencode(params)}"

    def exchange_code(self, code: str, code_verifier: str) -> TokenSet:
        del code_verifier
        response = self._token_request(
            "exchange_code",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": self._redirect_uri},
        )
        if response.status_code == 400:
            raise ProviderRejected(
                "MYOB Business did not accept the authorisation code (it lasts a few "
                "minutes); start connecting again."
            )
        return self._token_set(response, previous=None)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if tokens.refresh_token is None:
            raise AccessRevoked("MYOB Business gave no refresh token; reconnect.")
        response = self._token_request(
            "refresh",
            {
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token.get_secret_value(),
            },
        )
        if response.status_code == 400:
            # invalid_grant: the refresh token was used, or the file's consent lapsed
            # (MYOB asks for it again every year).
            raise AccessRevoked(LAPSED_CONSENT)
        return self._token_set(response, previous=tokens)

    def organisation_named_in(self, callback: Mapping[str, str]) -> str | None:
        """MYOB names the chosen company file as `businessId` (a GUID) when consent is
        prompted."""
        business = callback.get("businessId") or None
        if business is not None:
            try:
                uuid.UUID(business)
            except ValueError as malformed:
                raise InvalidRequest(
                    "The callback's businessId is not a MYOB company file id."
                ) from malformed
        return business

    def granted_organisations(
        self, tokens: TokenSet, named_organisation: str | None = None
    ) -> list[Organisation]:
        """The company file the callback named, once the tokens are seen to reach it
        (its root names it); without one, every file the login reaches (legacy keys)."""
        token = tokens.access_token.get_secret_value()
        if named_organisation:
            try:
                info = self._get(f"{self._api_url}/{named_organisation}/", token, "company_file")
            except AccessRevoked as refused:
                # Just granted, so the tokens work: they do not reach the file named.
                raise InvalidRequest(
                    f"MYOB Business did not grant access to company file {named_organisation}; "
                    "connect again and choose the file on MYOB's page."
                ) from refused
            described = (info or {}).get("CompanyFile") if isinstance(info, dict) else None
            name = (described or {}).get("Name") or named_organisation
            return [Organisation(id=named_organisation, name=str(name))]
        listed = self._get(f"{self._api_url}/", token, "company_files")
        files = [
            Organisation(id=str(entry["Id"]), name=str(entry.get("Name") or entry["Id"]))
            for entry in listed or []
            if isinstance(entry, dict) and entry.get("Id")
        ]
        if not files:
            raise ProviderRejected(NO_FILE_NAMED)
        return files

    def revoke(self, tokens: TokenSet) -> None:
        """MYOB has no revocation endpoint: the tokens are left to lapse. No other
        integration relies on them (each consent has its own tokens)."""
        del tokens

    def disconnect(self, tokens: TokenSet, organisation: Organisation | None) -> None:
        """MYOB has no connection to remove through the API, nor a revocation endpoint:
        this integration stops using its tokens and they lapse; the file's
        administrator can withdraw the consent in my.MYOB."""
        del tokens, organisation

    def _get(self, url: str, access_token: str, operation: str) -> Any:
        self._pacer.before_call()
        response = send(
            APP_NAME,
            operation,
            self._session,
            "GET",
            url,
            headers=api_headers(self._client_id, access_token),
            timeout=self._timeout,
        )
        body = _json(response)
        errors = errors_of(body)
        if response.status_code == 403 and is_rate_limited(errors):
            self._pacer.refused(PER_SECOND_WAIT)
            raise RateLimited(
                "MYOB Business's per-second rate limit for this API key was reached.",
                retry_after_seconds=PER_SECOND_WAIT,
                problem="per-second",
            )
        if response.status_code in (401, 403):
            raise AccessRevoked(
                "MYOB Business does not grant access to that company file; connect again."
            )
        if response.status_code != 200:
            detail = f": {errors[0].message}" if errors else ""
            raise ProviderRejected(
                f"MYOB Business refused to describe the company file (HTTP "
                f"{response.status_code}){detail}."
            )
        return body

    def _token_request(self, operation: str, form: dict[str, str]) -> requests.Response:
        # MYOB reads the client's credentials from the form body (no Basic header).
        response = send(
            APP_NAME,
            operation,
            self._session,
            "POST",
            self._token_url,
            data={**form, "client_id": self._client_id, "client_secret": self._client_secret()},
            headers={"Accept": "application/json"},
            timeout=self._timeout,
        )
        if response.status_code == 401:
            raise ProviderUnavailable(
                "MYOB Business rejected this service's API key or secret; the operator must "
                "fix the MYOB app configuration."
            )
        return response

    def _token_set(self, response: requests.Response, previous: TokenSet | None) -> TokenSet:
        if response.status_code != 200:
            raise ProviderRejected(
                f"MYOB Business refused the token request (HTTP {response.status_code})."
            )
        body = response.json()
        # MYOB sends expires_in as a string ("1200").
        expires_in = int(str(body.get("expires_in") or DEFAULT_EXPIRES_IN))
        refresh = body.get("refresh_token") or (
            previous.refresh_token.get_secret_value()
            if previous is not None and previous.refresh_token
            else None
        )
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=refresh,
            expires_at=self._clock.now() + timedelta(seconds=expires_in),
            scopes=str(body.get("scope") or " ".join(self._scopes)).split(),
        )


def _json(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
