"""The service with its real adapters against both emulators on real sockets, and moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from chalice.test import Client

from chalicelib.bootstrap import Container, use_container
from localdev.loc8.emulator import Loc8Emulator
from localdev.serving import serve_in_thread
from localdev.xero import XeroEmulator
from tests.conftest import bearer, make_settings
from tests.xero_emulator_fixtures import emulated_xero_settings

LOC8_TOKEN = "loc8-test-token"
TENANT = "demo"


class EmulatorClock:
    """The service's clock follows the Xero emulator's, so a clock jump reaches both."""

    def __init__(self, emulator: XeroEmulator) -> None:
        self._emulator = emulator

    def now(self) -> datetime:
        return self._emulator.clock.now()


@dataclass
class Emulated:
    client: Client
    xero: XeroEmulator
    loc8: Loc8Emulator
    container: Container

    def connect(self) -> str:
        from tests.api.test_connect_flow import redirect_params

        added = self.client.http.post(
            "/v1/integrations",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps({"app": "xero"}),
        ).json_body
        callback = self.xero.consent(added["authorize_url"]).removeprefix(
            "https://integrations.loc8.test"
        )
        assert redirect_params(self.client.http.get(callback))["result"] == "connected"
        return added["id"]

    def activate(self, sync: dict[str, bool] | None = None) -> str:
        integration_id = self.connect()
        saved = self.client.http.put(
            f"/v1/integrations/{integration_id}/config",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps(
                {
                    "sync": sync or {"tax_rates": True, "customers": True},
                    "invoice_status": "DRAFT",
                    "default_account_code": "200",
                    "line_item_accounts": {},
                }
            ),
        )
        assert saved.status_code == 200, saved.body
        return integration_id


@pytest.fixture
def emulated(aws, xero) -> Iterator[Emulated]:
    emulator, xero_server = xero
    loc8 = Loc8Emulator(LOC8_TOKEN, seed_demo=True)
    with serve_in_thread(loc8.app) as loc8_server:
        settings = make_settings(
            providers={"xero": emulated_xero_settings(xero_server.url)},
            loc8_api_url=loc8_server.url,
            loc8_api_secret=LOC8_TOKEN,
            loc8_api_backoff_seconds=0,
        )
        container = Container(settings, clock=EmulatorClock(emulator))
        use_container(container)
        from app import app

        with Client(app, stage_name="local") as client:
            yield Emulated(client, emulator, loc8, container)
        use_container(None)
