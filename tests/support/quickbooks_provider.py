"""The QuickBooks Online provider's adapters pointed at the emulator served on a socket:
its OAuth adapter, a consent for a company, and a connected Accounting API adapter that
refreshes its token the way the service does (single-flight, newest refresh token kept)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from chalice.test import Client

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.providers.quickbooks.accounting import QuickBooksAccounting
from chalicelib.adapters.providers.quickbooks.client import QuickBooksClient
from chalicelib.adapters.providers.quickbooks.oauth import QuickBooksOAuth
from chalicelib.adapters.providers.quickbooks.settings import (
    ACCOUNTING_SCOPE,
    MINOR_VERSION,
    QuickBooksSettings,
)
from chalicelib.bootstrap import Container, use_container
from chalicelib.domain.tokens import TokenSet
from localdev.emukit import Clock, RunningServer, serve_in_thread
from localdev.loc8.emulator import Loc8Emulator
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.auth import bearer
from tests.support.consent import redirect_params
from tests.support.fakes import DelayRecordingQueue
from tests.support.jobs import drain_queue, run_worker
from tests.support.quickbooks_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    query_of,
)
from tests.support.settings import make_settings

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


# --- the service with this provider, against the QuickBooks and Loc8 emulators ------------

LOC8_TOKEN = "loc8-test-token"
LOC8_TENANT = "demo"


def emulated_quickbooks_settings(url: str) -> QuickBooksSettings:
    """The service's QuickBooks settings pointed at an emulator served at `url`."""
    return QuickBooksSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        authorize_url=f"{url}/connect/oauth2",
        token_url=f"{url}/oauth2/v1/tokens/bearer",
        revocation_url=f"{url}/v2/oauth2/tokens/revoke",
        api_url=url,
    )


class _EmulatorClock:
    """The service's clock is the QuickBooks emulator's, so a jump reaches both."""

    def __init__(self, emulator: QuickBooksEmulator) -> None:
        self._emulator = emulator

    def now(self) -> datetime:
        return self._emulator.clock.now()


@dataclass
class Service:
    """The service (API and worker, moto behind it) syncing Loc8's demo tenant with the
    QuickBooks emulator's demo company."""

    client: Client
    qbo: QuickBooksEmulator
    loc8: Loc8Emulator
    container: Container
    queue: DelayRecordingQueue

    def call(self, method: str, path: str, body: object = None) -> Any:
        headers = {**bearer(LOC8_TENANT), "Content-Type": "application/json"}
        send = getattr(self.client.http, method)
        if body is None:
            return send(path, headers=headers)
        return send(path, headers=headers, body=json.dumps(body))

    def connect(self) -> str:
        added = self.call("post", "/v1/integrations", {"app": "quickbooks"}).json_body
        callback = self.qbo.consent(added["authorize_url"]).removeprefix(
            "https://integrations.loc8.test"
        )
        params = redirect_params(self.client.http.get(callback))
        finished = self.call(
            "post",
            f"/v1/integrations/{params['integration_id']}/consent",
            {"handle": params["handle"]},
        )
        assert finished.status_code == 200, finished.body
        assert finished.json_body["status"] == "AUTHORISED"
        return str(added["id"])

    def run_jobs(self) -> None:
        """Every queued job and continuation, a continuation's delay passing first."""
        jobs = drain_queue()
        for _ in range(30):
            if not jobs:
                return
            already = len(self.queue.delays)
            assert run_worker(self.client, jobs) == {"batchItemFailures": []}
            waited = max((delay for _run, delay in self.queue.delays[already:]), default=0)
            self.advance(waited)
            jobs = drain_queue()
        raise AssertionError("the run never finished")

    def advance(self, seconds: float) -> None:
        self.qbo.clock.advance(seconds)
        self.loc8.clock.advance(seconds)

    def run(self, integration_id: str, run_id: str) -> dict[str, Any]:
        path = f"/v1/integrations/{integration_id}/sync-runs/{run_id}"
        return dict(self.call("get", path).json_body)


@pytest.fixture
def qbo_service(aws: object) -> Iterator[Service]:
    qbo = QuickBooksEmulator(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], clock=Clock(frozen_at=START))
    loc8 = Loc8Emulator(LOC8_TOKEN, seed_demo=True)
    with serve_in_thread(qbo.app) as qbo_server, serve_in_thread(loc8.app) as loc8_server:
        settings = make_settings(
            providers={"quickbooks": emulated_quickbooks_settings(qbo_server.url)},
            loc8_api_url=loc8_server.url,
            loc8_api_secret=LOC8_TOKEN,
            loc8_api_backoff_seconds=0,
        )
        container = Container(settings, clock=_EmulatorClock(qbo))
        queue = DelayRecordingQueue(container.job_queue)
        container.__dict__["job_queue"] = queue
        use_container(container)
        from app import app

        with Client(app, stage_name="local") as client:
            yield Service(client, qbo, loc8, container, queue)
        use_container(None)
