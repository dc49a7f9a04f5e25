"""The Xero emulator served on a real socket, a Xero OAuth adapter pointed at it, and a
consent given at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.providers.xero.oauth import XeroOAuth
from chalicelib.adapters.providers.xero.settings import XeroSettings
from chalicelib.domain.oauth_state import pkce_challenge
from localdev.serving import RunningServer, serve_in_thread
from localdev.xero.emulator import XeroEmulator

CLIENT_ID = "test-xero-client"
CLIENT_SECRET = "test-xero-client-secret-value"
REDIRECT_URI = "https://integrations.loc8.test/v1/oauth/xero/callback"
SCOPES = ["openid", "profile", "email", "offline_access", "accounting.settings"]
VERIFIER = "v" * 64


@pytest.fixture
def xero() -> Iterator[tuple[XeroEmulator, RunningServer]]:
    emulator = XeroEmulator(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    with serve_in_thread(emulator.app) as server:
        yield emulator, server


def xero_oauth(
    server: RunningServer,
    *,
    secret: str = CLIENT_SECRET,
    timeout: tuple[float, float] = (1.0, 2.0),
    session: requests.Session | None = None,
) -> XeroOAuth:
    return XeroOAuth(
        client_id=CLIENT_ID,
        client_secret=lambda: secret,
        redirect_uri=REDIRECT_URI,
        scopes=SCOPES,
        authorize_url=f"{server.url}/identity/connect/authorize",
        token_url=f"{server.url}/connect/token",
        revocation_url=f"{server.url}/connect/revocation",
        api_url=server.url,
        timeout=timeout,
        clock=SystemClock(),
        session=session,
    )


def emulated_xero_settings(url: str) -> XeroSettings:
    """The service's Xero settings pointed at an emulator served at `url`."""
    return XeroSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        authorize_url=f"{url}/identity/connect/authorize",
        token_url=f"{url}/connect/token",
        revocation_url=f"{url}/connect/revocation",
        api_url=url,
    )


def consented_code(emulator: XeroEmulator, oauth, tenant_ids=None) -> str:
    url = oauth.authorization_url("state-123", pkce_challenge(VERIFIER))
    location = emulator.consent(url, tenant_ids=tenant_ids)
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(REDIRECT_URI)
    assert query["state"] == ["state-123"]
    return query["code"][0]
