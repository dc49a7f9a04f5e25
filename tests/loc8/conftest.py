"""The Loc8 core emulator on a real socket, and the HTTP adapter pointed at it.

Every response the tests receive is checked against docs/loc8-core-api.yaml; what the
adapter sends is checked too. Time is frozen and the retry waits are recorded instead
of slept, so nothing here depends on the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from chalicelib.adapters.loc8 import Loc8HttpApi, RetryPolicy
from localdev.emukit import Clock
from localdev.loc8 import CustomerIn, Loc8Emulator, TaxTypeIn
from localdev.serving import RunningServer, serve_in_thread
from tests.loc8.contract import checked_session

TOKEN = "test-loc8-service-token"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TENANT = "acme"


class Sleeps(list[float]):
    """Stands in for time.sleep in the retry policy: remembers each wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def emulator() -> Loc8Emulator:
    emulator = Loc8Emulator(TOKEN, clock=Clock(frozen_at=NOW))
    emulator.seed_demo()
    tenant = emulator.add_tenant(TENANT)
    tenant.replace_tax_types(
        [TaxTypeIn(code="GST", name="GST on Income", rate="10.00")]  # type: ignore[arg-type]
    )
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


def make_client(
    server: RunningServer,
    sleeps: Sleeps,
    *,
    token: str = TOKEN,
    timeout: tuple[float, float] = (1.0, 2.0),
    max_retries: int = 3,
    retry_after_limit: float = 5.0,
    page_size: int = 200,
    base_url: str | None = None,
) -> Loc8HttpApi:
    return Loc8HttpApi(
        base_url=base_url or server.url,
        token=lambda: token,
        timeout=timeout,
        retry=RetryPolicy(
            max_retries=max_retries,
            backoff_factor=0.001,
            retry_after_limit_seconds=retry_after_limit,
            jitter_seconds=0,
        ),
        page_size=page_size,
        session=checked_session(requests_too=True),
        sleeper=sleeps,
    )


@pytest.fixture
def loc8(server: RunningServer, sleeps: Sleeps) -> Loc8HttpApi:
    return make_client(server, sleeps)


def add_customers(emulator: Loc8Emulator, count: int, tenant_id: str = TENANT) -> list[str]:
    tenant = emulator.tenant(tenant_id)
    return [tenant.create_customer(CustomerIn(name=f"Customer {n:02d}")).id for n in range(count)]
