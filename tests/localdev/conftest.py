from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from localdev.serving import RunningServer, serve_in_thread
from localdev.xero import XeroEmulator
from tests.localdev.xero_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_REDIRECT_URI,
    REDIRECT_URI,
    XeroFlow,
)


@pytest.fixture
def emulator() -> XeroEmulator:
    return XeroEmulator(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[REDIRECT_URI, OTHER_REDIRECT_URI],
    )


@pytest.fixture
def server(emulator: XeroEmulator) -> Iterator[RunningServer]:
    with serve_in_thread(emulator.app) as running:
        yield running


@pytest.fixture
def xero(server: RunningServer) -> Iterator[XeroFlow]:
    with requests.Session() as session:
        yield XeroFlow(server.url, session)
