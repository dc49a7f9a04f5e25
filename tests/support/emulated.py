"""The service with its real adapters against both emulators on real sockets, and moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.bootstrap import Container, use_container
from localdev.loc8.emulator import Loc8Emulator
from localdev.serving import serve_in_thread
from localdev.xero import XeroEmulator
from tests.support.auth import bearer
from tests.support.consent import redirect_params
from tests.support.settings import make_settings
from tests.support.xero_emulator_fixtures import emulated_xero_settings

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
        added = self.client.http.post(
            "/v1/integrations",
            headers={**bearer(TENANT), "Content-Type": "application/json"},
            body=json.dumps({"app": "xero"}),
        ).json_body
        finished = allow_and_finish(self.client, self.xero, added["authorize_url"], TENANT)
        assert finished.json_body["status"] == "AUTHORISED", finished.body
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


def allow_and_finish(
    client: Client,
    emulator: XeroEmulator,
    authorize_url: str,
    tenant: str = TENANT,
    *,
    tenant_ids: list[str] | None = None,
) -> Any:
    """Press Allow on the emulator's consent page, follow the callback back to the web
    client's return URL and finish the consent there as the user who started it."""
    callback = emulator.consent(authorize_url, tenant_ids=tenant_ids).removeprefix(
        "https://integrations.loc8.test"
    )
    params = redirect_params(client.http.get(callback))
    assert params["result"] == "granted", params
    finished = client.http.post(
        f"/v1/integrations/{params['integration_id']}/consent",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps({"handle": params["handle"]}),
    )
    assert finished.status_code == 200, finished.body
    return finished


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
