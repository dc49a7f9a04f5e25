"""The Loc8 emulator's test tenant, and the HTTP adapter pointed at an emulator with its
retry waits recorded instead of slept."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.loc8 import Loc8HttpApi, RetryPolicy
from localdev.loc8 import CustomerIn, Loc8Emulator
from localdev.serving import RunningServer
from tests.support.loc8_contract import checked_session

TOKEN = "test-loc8-service-token"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TENANT = "acme"


class Sleeps(list[float]):
    """Stands in for time.sleep in the retry policy: remembers each wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


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


def add_customers(emulator: Loc8Emulator, count: int, tenant_id: str = TENANT) -> list[str]:
    tenant = emulator.tenant(tenant_id)
    return [tenant.create_customer(CustomerIn(name=f"Customer {n:02d}")).id for n in range(count)]
