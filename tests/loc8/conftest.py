"""The Loc8 core emulator on a real socket, and the HTTP adapter pointed at it.

Every response the tests receive is checked against docs/loc8-core-api.yaml; what the
adapter sends is checked too. Time is frozen and the retry waits are recorded instead
of slept, so nothing here depends on the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from chalicelib.adapters.loc8 import Loc8HttpApi
from localdev.emukit import Clock
from localdev.loc8 import Loc8Emulator, TaxTypeIn
from localdev.serving import RunningServer, serve_in_thread
from tests.support.loc8_contract import checked_session
from tests.support.loc8_emulator import NOW, TENANT, TOKEN, Sleeps, make_client


@pytest.fixture
def emulator() -> Loc8Emulator:
    emulator = Loc8Emulator(TOKEN, clock=Clock(frozen_at=NOW))
    emulator.seed_demo()
    tenant = emulator.add_tenant(TENANT)
    tenant.create_tax_type(TaxTypeIn(code="GST", name="GST on Income", rate="10.00"))  # type: ignore[arg-type]
    return emulator


@pytest.fixture
def server(emulator: Loc8Emulator) -> Iterator[RunningServer]:
    with serve_in_thread(emulator.app) as running:
        yield running


@pytest.fixture
def checked() -> Iterator[requests.Session]:
    """A session that fails the test on any response the contract does not allow."""
    with checked_session() as session:
        yield session


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def loc8(server: RunningServer, sleeps: Sleeps) -> Loc8HttpApi:
    return make_client(server, sleeps)
