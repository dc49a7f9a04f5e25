"""The QuickBooks Online provider's adapters pointed at the emulator served on a socket:
its OAuth adapter, a consent for a company, and a connected Accounting API adapter that
refreshes its token the way the service does (single-flight, newest refresh token kept)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import requests

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.providers.quickbooks.accounting import QuickBooksAccounting
from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient
from chalicelib.adapters.providers.quickbooks.oauth import QuickBooksOAuth
from chalicelib.adapters.providers.quickbooks.settings import ACCOUNTING_SCOPE, MINOR_VERSION
from chalicelib.domain.tokens import TokenSet
from localdev.emukit import Clock, RunningServer, serve_in_thread
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    query_of,
)

TIMEOUT = (2.0, 10.0)


def qbo_oauth(server_url: str, *, secret: str = CLIENT_SECRET) -> QuickBooksOAuth:
    return QuickBooksOAuth(
        client_id=CLIENT_ID,
        client_secret=lambda: secret,
        redirect_uri=REDIRECT_URI,
        scopes=[ACCOUNTING_SCOPE],
        authorize_url=f"{server_url}/connect/oauth2",
        token_url=f"{server_url}/oauth2/v1/tokens/bearer",
        revocation_url=f"{server_url}/v2/oauth2/tokens/revoke",
        api_url=server_url,
        minor_version=MINOR_VERSION,
        timeout=TIMEOUT,
        clock=SystemClock(),
        session=requests.Session(),
    )


def consent(
    emulator: QuickBooksEmulator, oauth: QuickBooksOAuth, realm_id: str = DEMO_REALM_ID
) -> dict[str, str]:
    """The user connects `realm_id`: the callback's query (code, state, realmId)."""
    location = emulator.consent(oauth.authorization_url("state-qbo", "unused"), realm_id=realm_id)
    assert location.startswith(REDIRECT_URI), location
    return query_of(location)


@dataclass
class Connected:
    """A company connected through the provider's own OAuth adapter."""

    emulator: QuickBooksEmulator
    server: RunningServer
    oauth: QuickBooksOAuth
    realm_id: str
    tokens: TokenSet
    refreshes: list[TokenSet] = field(default_factory=list)

    def access_token(self, force_refresh: bool) -> str:
        if force_refresh:
            self.tokens = self.oauth.refresh(self.tokens)
            self.refreshes.append(self.tokens)
        return self.tokens.access_token.get_secret_value()

    def advance(self, moment: timedelta) -> None:
        """Move the emulator's clock on, refreshing the tokens as the service would
        once they expire, so what a test counts afterwards is its own calls."""
        self.emulator.clock.advance(moment.total_seconds())
        self.access_token(force_refresh=True)

    def app(self) -> QuickBooksAccounting:
        """A fresh adapter, as the worker builds one per job."""
        client = QuickBooksClient(
            api_url=self.server.url,
            realm_id=self.realm_id,
            access_token=self.access_token,
            timeout=TIMEOUT,
            session=requests.Session(),
            minor_version=MINOR_VERSION,
        )
        return QuickBooksAccounting(
            client=client, realm_id=self.realm_id, now=self.emulator.clock.now
        )


def connect_company(
    emulator: QuickBooksEmulator, server: RunningServer, realm_id: str = DEMO_REALM_ID
) -> Connected:
    oauth = qbo_oauth(server.url)
    callback = consent(emulator, oauth, realm_id)
    tokens = oauth.exchange_code(callback["code"], "unused")
    return Connected(emulator, server, oauth, callback["realmId"], tokens)


# The emulator's clock stands still unless a test moves it, so the times a page says it
# was read at, and the records' change times, are exact.
START = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)


@pytest.fixture
def qbo_connected() -> Iterator[Connected]:
    """The seeded AU demo company, connected; the emulator served on its own socket."""
    emulator = QuickBooksEmulator(
        CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], clock=Clock(frozen_at=START)
    )
    with serve_in_thread(emulator.app) as server:
        yield connect_company(emulator, server)
