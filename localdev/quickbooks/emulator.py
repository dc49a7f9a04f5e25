"""QuickBooksEmulator: the Python handle on one emulated QuickBooks Online (Intuit's
identity and the Accounting API v3)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from localdev.emukit import Clock, EmulatorKit
from localdev.emukit.redirects import exact_redirect_uris
from localdev.quickbooks.accounting.companies import Companies, Company
from localdev.quickbooks.accounting.limits import RateLimiter, RateLimits
from localdev.quickbooks.accounting.requestids import RequestIds
from localdev.quickbooks.app import create_app
from localdev.quickbooks.context import Services
from localdev.quickbooks.errors import QuickBooksErrorBodies
from localdev.quickbooks.models import Grant, RegisteredApp
from localdev.quickbooks.oauth import OAuthService
from localdev.quickbooks.serialize import iso, snapshot
from localdev.quickbooks.state import EmulatorState

DEFAULT_CLIENT_ID = "loc8-local-quickbooks-client"
DEFAULT_CLIENT_SECRET = "loc8-local-quickbooks-secret"  # a well-known, local-only value
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/quickbooks/callback"
ENV_PREFIX = "QUICKBOOKS_EMULATOR_"


class QuickBooksEmulator:
    """An in-process QuickBooks Online: Intuit's OAuth 2.0 plus the Accounting API v3.

    ``app`` is the WSGI app (serve it with ``localdev.emukit.serve_in_thread`` or use
    ``app.test_client()``); the other attributes are the controls the HTTP
    ``/_emulator/*`` endpoints expose too.
    """

    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Iterable[str] = (DEFAULT_REDIRECT_URI,),
        *,
        clock: Clock | None = None,
        app_name: str = "Loc8 Integrations (local)",
        limits: RateLimits | None = None,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        registered = RegisteredApp(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=exact_redirect_uris(redirect_uris, app="QuickBooks Online"),
            name=app_name,
        )
        clock = clock or Clock()
        self._kit = EmulatorKit(QuickBooksErrorBodies(clock.now), iso, clock=clock)
        self.clock = self._kit.clock
        self.faults = self._kit.faults
        self.state = EmulatorState(registered)
        self.oauth = OAuthService(self.state, self.clock)
        self.companies = Companies(self.clock)
        # Intuit's real limits unless told otherwise; see RateLimits and /_emulator/limits.
        self.limits = RateLimiter(self.clock, limits)
        self.requestids = RequestIds(self.clock)
        self._services = Services(
            kit=self._kit,
            state=self.state,
            oauth=self.oauth,
            companies=self.companies,
            limits=self.limits,
            requestids=self.requestids,
        )
        self.app: Flask = create_app(self._services)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> QuickBooksEmulator:
        """Registered app from QUICKBOOKS_EMULATOR_CLIENT_ID / _CLIENT_SECRET /
        _REDIRECT_URI (several exact URIs separated by commas), rate limits from
        QUICKBOOKS_RATE_LIMIT_* (see `RateLimits.from_env`)."""
        env = os.environ if environ is None else environ
        redirect = env.get(f"{ENV_PREFIX}REDIRECT_URI") or DEFAULT_REDIRECT_URI
        return cls(
            client_id=env.get(f"{ENV_PREFIX}CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=env.get(f"{ENV_PREFIX}CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            redirect_uris=redirect.split(","),
            limits=RateLimits.from_env(env),
        )

    @property
    def registered_app(self) -> RegisteredApp:
        return self.state.registered_app

    @property
    def calls(self) -> Counter[str]:
        """Requests received per "METHOD /path-template" (a copy; missing keys read as 0)."""
        return self._kit.calls.snapshot()

    def add_company(
        self,
        name: str,
        country: str = "AU",
        *,
        realm_id: str | None = None,
        chart: bool = True,
    ) -> Company:
        """Another company the user can pick on the consent page; its books get the
        country's starting chart and tax codes unless ``chart=False``."""
        return self.companies.add(name, country, realm_id=realm_id, chart=chart)

    def grants(self) -> list[Grant]:
        return self.oauth.grants()

    def expire_access_tokens(self, realm_id: str | None = None) -> int:
        return self.oauth.expire_access_tokens(realm_id)

    def disconnect_in_quickbooks(self, realm_id: str) -> int:
        """Play the user disconnecting the app from a company in QuickBooks."""
        return self.oauth.disconnect_in_quickbooks(realm_id)

    def snapshot(self) -> dict[str, Any]:
        """The same read-back as GET /_emulator/state (minus companies, clock and faults)."""
        return snapshot(self.state)

    def reset(self) -> None:
        """Demo company only, no consents/tokens, no faults, zero counts, clock offset 0."""
        self._services.reset()

    def consent(
        self,
        authorize_url: str,
        *,
        allow: bool = True,
        realm_id: str | None = None,
    ) -> str:
        """Play the user on the consent page without a browser; returns the redirect Location.

        ``realm_id`` is the company picked (the first listed, as the page preselects, if
        None). Goes through the real endpoint (validation, call counts, faults).
        """
        parts = urlsplit(authorize_url)
        form: dict[str, Any] = {"decision": "allow" if allow else "deny"}
        if allow:
            companies = self.companies.list()
            chosen = realm_id or (companies[0].realm_id if companies else None)
            if chosen is not None:
                form["realm_id"] = chosen
        response = self.app.test_client().post(f"{parts.path}?{parts.query}", data=form)
        location = response.headers.get("Location")
        if response.status_code != 302 or location is None:
            raise RuntimeError(f"consent was not redirected (HTTP {response.status_code})")
        return location
