"""XeroEmulator: the Python handle on one emulated Xero (identity and Accounting API)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from localdev.emukit import Clock, EmulatorKit
from localdev.emukit.redirects import exact_redirect_uris
from localdev.xero.accounting import writes
from localdev.xero.accounting.books import Books
from localdev.xero.accounting.dates import to_millis
from localdev.xero.accounting.idempotency import XeroIdempotency
from localdev.xero.accounting.limits import RateLimiter, RateLimits, limits_from_environment
from localdev.xero.accounting.readback import organisation_state
from localdev.xero.accounting.records import WriteContext
from localdev.xero.accounting.tenancy import books_of, set_up
from localdev.xero.app import create_app
from localdev.xero.context import Services
from localdev.xero.errors import XeroErrorBodies
from localdev.xero.models import Connection, Grant, Organisation, RegisteredApp
from localdev.xero.oauth import OAuthService
from localdev.xero.serialize import iso, snapshot
from localdev.xero.state import EmulatorState

DEFAULT_CLIENT_ID = "loc8-local-client"
DEFAULT_CLIENT_SECRET = "loc8-local-secret"  # a well-known, local-only value
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/xero/callback"
MAX_REDIRECT_URIS = 50  # Xero's limit per app


class XeroEmulator:
    """An in-process Xero: identity service plus the Accounting API.

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
            redirect_uris=exact_redirect_uris(redirect_uris, app="Xero", most=MAX_REDIRECT_URIS),
            name=app_name,
        )
        self._kit = EmulatorKit(XeroErrorBodies(), iso, clock=clock or Clock())
        self.clock = self._kit.clock
        self.faults = self._kit.faults
        self.state = EmulatorState(registered)
        self.oauth = OAuthService(self.state, self.clock)
        # Xero's real limits unless told otherwise; see RateLimits and /_emulator/limits.
        self.limits = RateLimiter(limits or RateLimits(), self.clock)
        self._services = Services(
            state=self.state,
            kit=self._kit,
            oauth=self.oauth,
            limits=self.limits,
            idempotency=XeroIdempotency(self.clock),
        )
        self.app: Flask = create_app(self._services)
        self._services.set_up_books()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> XeroEmulator:
        """Registered app from XERO_CLIENT_ID / XERO_CLIENT_SECRET / XERO_REDIRECT_URI,
        rate limits from XERO_RATE_LIMIT_{CONCURRENT,MINUTE,DAY,APP_MINUTE}.

        XERO_REDIRECT_URI may list several exact URIs separated by commas.
        """
        env = os.environ if environ is None else environ
        redirect = env.get("XERO_REDIRECT_URI") or DEFAULT_REDIRECT_URI
        return cls(
            client_id=env.get("XERO_CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=env.get("XERO_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            redirect_uris=redirect.split(","),
            limits=limits_from_environment(env),
        )

    @property
    def registered_app(self) -> RegisteredApp:
        return self.state.registered_app

    @property
    def calls(self) -> Counter[str]:
        """Requests received per "METHOD /path-template" (a copy; missing keys read as 0)."""
        return self._kit.calls.snapshot()

    def add_organisation(
        self,
        name: str,
        *,
        tenant_id: str | None = None,
        tenant_type: str = "ORGANISATION",
        chart: bool = True,
    ) -> Organisation:
        """A new tenant; its books get the AU chart of accounts and GST rates unless
        ``chart=False`` (then they start empty)."""
        organisation = self.state.add_organisation(
            name, tenant_id=tenant_id, tenant_type=tenant_type
        )
        set_up(self.state, self.clock, organisation, chart=chart)
        return organisation

    def books(self, tenant_id: str) -> Books:
        """An organisation's accounting data (take ``books.lock`` to read it consistently)."""
        organisation = self.state.organisation(tenant_id)
        if organisation is None:
            raise KeyError(f"no organisation {tenant_id}")
        return books_of(self.state, self.clock, organisation)

    def seed(self, tenant_id: str, **records: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
        """Bulk-create records through the API's own rules, without HTTP or rate limits.

        Keyword names are collections: ``TaxRates``, ``Accounts``, ``Contacts``, ``Items``,
        ``Invoices``, ``Payments`` (applied in that order). Elements are Xero JSON, as a
        client would PUT them. Returns the new IDs per collection; the first invalid
        element raises ValueError (earlier ones stay created).
        """
        ctx = WriteContext(
            now=to_millis(self.clock.now()), client_id=self.registered_app.client_id, mode="create"
        )
        return writes.seed(self.books(tenant_id), records, ctx)

    def accounting_state(self, tenant_id: str) -> dict[str, Any]:
        """Everything an organisation holds, in Xero's JSON shapes (archived, deleted and
        voided records included) - the same as GET /_emulator/organisations/{id}/state."""
        return organisation_state(self.books(tenant_id), self.clock.now().date())

    def organisations(self) -> list[Organisation]:
        with self.state.lock:
            return list(self.state.organisations.values())

    def grants(self) -> list[Grant]:
        with self.state.lock:
            return list(self.state.grants.values())

    def connections(self, *, include_disconnected: bool = False) -> list[Connection]:
        with self.state.lock:
            return [
                connection
                for connection in self.state.connections.values()
                if include_disconnected or connection.active
            ]

    def disconnect_in_xero(self, tenant_id: str) -> bool:
        """Play the user disconnecting the app from one organisation in Xero's own settings:
        that connection goes, tokens stay valid. False if it was not connected."""
        return self.oauth.disconnect_in_xero(tenant_id)

    def snapshot(self) -> dict[str, Any]:
        """The same read-back as GET /_emulator/state (minus clock and faults)."""
        return snapshot(self.state)

    def reset(self) -> None:
        """Demo organisation only, no consents/tokens, no faults, zero counts, clock offset 0."""
        self._services.reset()

    def consent(
        self,
        authorize_url: str,
        *,
        allow: bool = True,
        tenant_ids: Iterable[str] | None = None,
    ) -> str:
        """Play the user on the consent page without a browser; returns the redirect Location.

        Goes through the real endpoint (validation, calls count, faults) via the test client.
        """
        parts = urlsplit(authorize_url)
        form: dict[str, Any] = {"decision": "allow" if allow else "deny"}
        if tenant_ids is not None:
            form["tenant_id"] = list(tenant_ids)
        response = self.app.test_client().post(f"{parts.path}?{parts.query}", data=form)
        location = response.headers.get("Location")
        if response.status_code != 302 or location is None:
            raise RuntimeError(f"consent was not redirected (HTTP {response.status_code})")
        return location
