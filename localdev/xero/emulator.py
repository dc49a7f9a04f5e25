"""XeroEmulator: the Python handle on one emulated Xero (identity part)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from localdev.xero.app import create_app
from localdev.xero.calls import CallCounter
from localdev.xero.clock import Clock
from localdev.xero.context import Services
from localdev.xero.faults import FaultRegistry
from localdev.xero.models import Connection, Grant, Organisation, RegisteredApp
from localdev.xero.oauth import OAuthService
from localdev.xero.serialize import snapshot
from localdev.xero.state import EmulatorState

DEFAULT_CLIENT_ID = "loc8-local-client"
DEFAULT_CLIENT_SECRET = "loc8-local-secret"  # a well-known, local-only value
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/v1/oauth/xero/callback"
MAX_REDIRECT_URIS = 50  # Xero's limit per app


def _check_redirect_uris(uris: Iterable[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(uri.strip() for uri in uris if uri.strip()))
    if not cleaned:
        raise ValueError("at least one redirect URI is required")
    if len(cleaned) > MAX_REDIRECT_URIS:
        raise ValueError(f"Xero allows at most {MAX_REDIRECT_URIS} redirect URIs")
    for uri in cleaned:
        parts = urlsplit(uri)
        if "*" in uri or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"redirect URI must be an exact http(s) URL: {uri!r}")
        if parts.fragment:
            raise ValueError(f"redirect URI must not contain a fragment: {uri!r}")
    return cleaned


class XeroEmulator:
    """An in-process Xero identity service.

    ``app`` is the WSGI app (serve it with ``localdev.serving.serve_in_thread`` or use
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
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        registered = RegisteredApp(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=_check_redirect_uris(redirect_uris),
            name=app_name,
        )
        self.clock = clock or Clock()
        self.state = EmulatorState(registered)
        self.faults = FaultRegistry()
        self._calls = CallCounter()
        self.oauth = OAuthService(self.state, self.clock)
        self._services = Services(
            state=self.state,
            clock=self.clock,
            oauth=self.oauth,
            faults=self.faults,
            calls=self._calls,
        )
        self.app: Flask = create_app(self._services)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> XeroEmulator:
        """Registered app from XERO_CLIENT_ID / XERO_CLIENT_SECRET / XERO_REDIRECT_URI.

        XERO_REDIRECT_URI may list several exact URIs separated by commas.
        """
        env = os.environ if environ is None else environ
        redirect = env.get("XERO_REDIRECT_URI") or DEFAULT_REDIRECT_URI
        return cls(
            client_id=env.get("XERO_CLIENT_ID") or DEFAULT_CLIENT_ID,
            client_secret=env.get("XERO_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
            redirect_uris=redirect.split(","),
        )

    @property
    def registered_app(self) -> RegisteredApp:
        return self.state.registered_app

    @property
    def calls(self) -> Counter[str]:
        """Requests received per "METHOD /path-template" (a copy; missing keys read as 0)."""
        return self._calls.snapshot()

    def add_organisation(
        self, name: str, *, tenant_id: str | None = None, tenant_type: str = "ORGANISATION"
    ) -> Organisation:
        return self.state.add_organisation(name, tenant_id=tenant_id, tenant_type=tenant_type)

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
