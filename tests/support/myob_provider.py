"""The MYOB Business provider's adapters pointed at the MYOB emulator served on a socket:
its OAuth adapter, a consent for a company file, and a connected AccountRight adapter
that refreshes its token the way the service does (newest refresh token kept)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from chalice.test import Client

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.providers.myob import MyobProvider
from chalicelib.adapters.providers.myob.accounting import MyobAccounting
from chalicelib.adapters.providers.myob.client import MyobClient
from chalicelib.adapters.providers.myob.etags import EtagCache
from chalicelib.adapters.providers.myob.limits import Pacer
from chalicelib.adapters.providers.myob.oauth import MyobOAuth
from chalicelib.adapters.providers.myob.settings import LOC8_SCOPES, MyobSettings
from chalicelib.bootstrap import Container, use_container
from chalicelib.domain.tokens import TokenSet
from localdev.emukit import RunningServer, serve_in_thread
from localdev.loc8.emulator import Loc8Emulator
from localdev.myob import DEMO_COMPANY_FILE_ID, MyobEmulator, MyobLimits
from tests.support.auth import bearer
from tests.support.consent import redirect_params
from tests.support.fakes import DelayRecordingQueue
from tests.support.jobs import drain_queue, run_worker, sqs_event
from tests.support.myob_emulator_fixtures import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    new_emulator,
)
from tests.support.settings import make_settings

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


# --- the service with this provider, against the MYOB and Loc8 emulators --------------

LOC8_TOKEN = "loc8-test-token"
LOC8_TENANT = "demo"


def emulated_myob_settings(url: str) -> MyobSettings:
    """The service's MYOB settings pointed at an emulator served at `url`."""
    return MyobSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        authorize_url=f"{url}/oauth2/account/authorize",
        token_url=f"{url}/oauth2/v1/authorize",
        api_url=f"{url}/accountright",
    )


class _EmulatorClock:
    """The service's clock is the MYOB emulator's, so a jump reaches both."""

    def __init__(self, emulator: MyobEmulator) -> None:
        self._emulator = emulator

    def now(self) -> datetime:
        return self._emulator.clock.now()


@dataclass
class Service:
    """The service (API and worker, moto behind it) syncing Loc8's demo tenant with the
    MYOB emulator's demo company file."""

    client: Client
    myob: MyobEmulator
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
        added = self.call("post", "/v1/integrations", {"app": "myob"}).json_body
        assert self.consent(added["authorize_url"])["status"] == "AUTHORISED"
        return str(added["id"])

    def reauthorise(self, integration_id: str) -> None:
        """The admin reconnects the integration (its consent lapsed)."""
        path = f"/v1/integrations/{integration_id}/authorize"
        self.consent(self.call("post", path).json_body["authorize_url"])

    def consent(self, authorize_url: str) -> dict[str, Any]:
        """The admin allows MYOB's consent page (the demo file) and the page finishes;
        the integration as the API then shows it."""
        callback = self.myob.consent(authorize_url).removeprefix("https://integrations.loc8.test")
        params = redirect_params(self.client.http.get(callback))
        finished = self.call(
            "post",
            f"/v1/integrations/{params['integration_id']}/consent",
            {"handle": params["handle"]},
        )
        assert finished.status_code == 200, finished.body
        return dict(finished.json_body)

    def run_jobs(self, context: Callable[[], object] | None = None) -> None:
        """Every queued job and continuation, a continuation's delay passing first;
        `context` makes each delivery's Lambda context (5 minutes unless it says)."""
        jobs = drain_queue()
        for _ in range(60):
            if not jobs:
                return
            already = len(self.queue.delays)
            if context is None:
                answer = run_worker(self.client, jobs)
            else:
                from app import app

                event = sqs_event(self.client, jobs)
                answer = app.handler_map["sync_worker"](event, context())
            assert answer == {"batchItemFailures": []}
            waited = max((delay for _run, delay in self.queue.delays[already:]), default=0)
            self.advance(waited)
            jobs = drain_queue()
        raise AssertionError("the run never finished")

    def advance(self, seconds: float) -> None:
        self.myob.clock.advance(seconds)
        self.loc8.clock.advance(seconds)

    def run(self, integration_id: str, run_id: str) -> dict[str, Any]:
        path = f"/v1/integrations/{integration_id}/sync-runs/{run_id}"
        return dict(self.call("get", path).json_body)

    def records(self, resource: str) -> list[dict[str, Any]]:
        return self.myob.records(DEMO_COMPANY_FILE_ID, resource)


@pytest.fixture
def myob_service(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    """MYOB's own limits (8 a second per key) on the emulator's frozen clock: the
    provider's pacer waits its turn by moving both emulators' clocks, as real time
    would pass."""
    myob = new_emulator(MyobLimits())
    loc8 = Loc8Emulator(LOC8_TOKEN, seed_demo=True)

    def wait(seconds: float) -> None:
        myob.clock.advance(seconds)
        loc8.clock.advance(seconds)

    with serve_in_thread(myob.app) as myob_server, serve_in_thread(loc8.app) as loc8_server:
        settings = make_settings(
            providers={"myob": emulated_myob_settings(myob_server.url)},
            loc8_api_url=loc8_server.url,
            loc8_api_secret=LOC8_TOKEN,
            loc8_api_backoff_seconds=0,
        )
        container = Container(
            settings, clock=_EmulatorClock(myob), registrations=[MyobProvider(sleep=wait)]
        )
        queue = DelayRecordingQueue(container.job_queue)
        container.__dict__["job_queue"] = queue
        use_container(container)
        from app import app

        with Client(app, stage_name="local") as client:
            yield Service(client, myob, loc8, container, queue)
        use_container(None)


# --- what the MYOB service tests share ----------------------------------------------

RESOURCES = (
    "Contact/Customer",
    "Inventory/Item",
    "Sale/Invoice/Item",
    "Sale/Invoice/Service",
    "Sale/CustomerPayment",
)
EVERY_DOMAIN = {
    "tax_rates": True,
    "customers": True,
    "line_items": True,
    "invoices": True,
    "payments": True,
}


def card_name(card: dict) -> str:
    if card["IsIndividual"]:
        return " ".join(part for part in (card["FirstName"], card["LastName"]) if part)
    return str(card["CompanyName"])


def sales(service: Service) -> list[dict]:
    return service.records("Sale/Invoice/Item") + service.records("Sale/Invoice/Service")


def loc8_snapshot(service: Service) -> dict:
    return service.loc8.snapshot(LOC8_TENANT)


CONFIG = {
    "sync": EVERY_DOMAIN,
    "invoice_status": "AUTHORISED",
    "default_account_code": "4-1000",
    "line_item_accounts": {},
    "payment_account_code": "1-1110",
    # MYOB's GST-free and not-reportable codes, as the admin picks them on the page.
    "tax_rate_mappings": {"GST_FREE": "FRE", "BAS_EXCLUDED": "N-T"},
}


def activate(service: Service) -> tuple[str, dict]:
    integration_id = service.connect()
    saved = service.call("put", f"/v1/integrations/{integration_id}/config", CONFIG)
    assert saved.status_code == 200, saved.body
    service.run_jobs()
    [run] = service.call("get", f"/v1/integrations/{integration_id}/sync-runs").json_body["runs"]
    return integration_id, service.run(integration_id, run["id"])


def sync(service: Service, integration_id: str) -> dict:
    queued = service.call("post", f"/v1/integrations/{integration_id}/sync").json_body
    service.run_jobs()
    return service.run(integration_id, queued["run_id"])
