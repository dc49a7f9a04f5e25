"""The MYOB Business provider's adapters pointed at the MYOB emulator served on a socket:
its OAuth adapter, a consent for a company file, and a connected AccountRight adapter
that refreshes its token the way the service does (newest refresh token kept)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.providers.myob.accounting import MyobAccounting
from chalicelib.adapters.providers.myob.client import MyobClient
from chalicelib.adapters.providers.myob.etags import EtagCache
from chalicelib.adapters.providers.myob.limits import Pacer
from chalicelib.adapters.providers.myob.oauth import MyobOAuth
from chalicelib.adapters.providers.myob.settings import LOC8_SCOPES
from chalicelib.domain.tokens import TokenSet
from localdev.emukit import RunningServer, serve_in_thread
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobEmulator, MyobLimits
from tests.support.myob_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    new_emulator,
)

TIMEOUT = (2.0, 10.0)


def unpaced() -> Pacer:
    """A pacer that never waits: tests not about pacing run on the emulator's frozen
    clock, where its per-second window never moves."""
    return Pacer(lambda: 0.0)


def myob_oauth(
    server_url: str,
    *,
    secret: str = CLIENT_SECRET,
    scopes: list[str] | None = None,
    prompt: str = "consent",
) -> MyobOAuth:
    return MyobOAuth(
        client_id=CLIENT_ID,
        client_secret=lambda: secret,
        redirect_uri=REDIRECT_URI,
        scopes=scopes or list(LOC8_SCOPES),
        authorize_url=f"{server_url}/oauth2/account/authorize",
        token_url=f"{server_url}/oauth2/v1/authorize",
        api_url=f"{server_url}/accountright",
        prompt=prompt,
        timeout=TIMEOUT,
        clock=SystemClock(),
        pacer=unpaced(),
        session=requests.Session(),
    )


def consent(
    emulator: MyobEmulator, oauth: MyobOAuth, business_id: str = DEMO_COMPANY_FILE_ID
) -> dict[str, str]:
    """The user allows the app for `business_id`: the callback's query."""
    location = emulator.consent(
        oauth.authorization_url("state-myob", "unused"), business_id=business_id
    )
    assert location.startswith(REDIRECT_URI), location
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@dataclass
class Connected:
    """A company file connected through the provider's own OAuth adapter."""

    emulator: MyobEmulator
    server: RunningServer
    oauth: MyobOAuth
    company_file_id: str
    tokens: TokenSet
    refreshes: list[TokenSet] = field(default_factory=list)

    def access_token(self, force_refresh: bool) -> str:
        if force_refresh:
            self.tokens = self.oauth.refresh(self.tokens)
            self.refreshes.append(self.tokens)
        return self.tokens.access_token.get_secret_value()

    def advance(self, moment: timedelta) -> None:
        """Move the emulator's clock on, refreshing the tokens as the service would."""
        self.emulator.clock.advance(moment.total_seconds())
        self.access_token(force_refresh=True)

    def app(
        self,
        *,
        pacer: Pacer | None = None,
        etags: EtagCache | None = None,
        session: requests.Session | None = None,
    ) -> MyobAccounting:
        """A fresh adapter, as the worker builds one per job; its own ETag memory
        unless a test shares one."""
        client = MyobClient(
            api_url=f"{self.server.url}/accountright",
            company_file_id=self.company_file_id,
            api_key=CLIENT_ID,
            access_token=self.access_token,
            timeout=TIMEOUT,
            session=session or requests.Session(),
            pacer=pacer or unpaced(),
            etags=etags or EtagCache(),
        )
        return MyobAccounting(client=client, now=self.emulator.clock.now)

    def records(self, resource: str) -> list[dict]:
        return self.emulator.records(self.company_file_id, resource)


def connect_file(
    emulator: MyobEmulator, server: RunningServer, business_id: str = DEMO_COMPANY_FILE_ID
) -> Connected:
    oauth = myob_oauth(server.url)
    callback = consent(emulator, oauth, business_id)
    tokens = oauth.exchange_code(callback["code"], "unused")
    [organisation] = oauth.granted_organisations(tokens, oauth.organisation_named_in(callback))
    return Connected(emulator, server, oauth, organisation.id, tokens)


@pytest.fixture
def myob_connected() -> Iterator[Connected]:
    """The seeded AU demo company file, connected; the emulator served on its own socket
    with a per-second limit no test reaches unless it sets its own."""
    emulator = new_emulator(MyobLimits(per_second=100_000))
    with serve_in_thread(emulator.app) as server:
        yield connect_file(emulator, server)
