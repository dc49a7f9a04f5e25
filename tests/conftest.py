"""Shared fixtures: moto-backed AWS, a fixed clock, a fake app, the Chalice test client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

# Before anything builds a boto3 client: never reach real AWS from a test.
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
)

import boto3  # noqa: E402
import pytest  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.adapters.dynamodb import create_table  # noqa: E402
from chalicelib.adapters.providers.xero.settings import XeroSettings  # noqa: E402
from chalicelib.bootstrap import Container, use_container  # noqa: E402
from chalicelib.settings import Settings  # noqa: E402
from localdev.dev_tokens import mint_token  # noqa: E402
from tests.fakes import FakeAccountingAuth, FakeClock, FakeRegistry  # noqa: E402
from tests.xero_emulator_fixtures import xero  # noqa: E402, F401 - shared fixture

TABLE = "loc8-integrations-test"
JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
STATE_SECRET = "test-state-signing-secret-0123456789abcdef"
WEB_ORIGIN = "https://app.loc8.test"
RETURN_URL = f"{WEB_ORIGIN}/settings/integrations"
SYNC_QUEUE = "loc8-test-sync-jobs"
SYNC_QUEUE_URL = f"https://sqs.ap-southeast-2.amazonaws.com/123456789012/{SYNC_QUEUE}"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        create_table(boto3.client("dynamodb"), TABLE)
        created = boto3.client("sqs").create_queue(QueueName=SYNC_QUEUE)["QueueUrl"]
        assert created == SYNC_QUEUE_URL
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


def xero_settings(**overrides: object) -> XeroSettings:
    values: dict[str, object] = {"client_id": "test-client", "client_secret": "test-client-secret"}
    values.update(overrides)
    return XeroSettings(**values)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "table_name": TABLE,
        "sync_queue_url": SYNC_QUEUE_URL,
        "token_secret_prefix": "loc8-test/tokens",
        "jwt_secret": JWT_SECRET,
        "state_signing_secret": STATE_SECRET,
        "web_return_url": RETURN_URL,
        "cors_allowed_origins": [WEB_ORIGIN],
        "providers": {"xero": xero_settings()},
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def fake_app(clock: FakeClock) -> FakeAccountingAuth:
    return FakeAccountingAuth(clock=clock)


@pytest.fixture
def container(aws: None, settings: Settings, clock: FakeClock, fake_app: FakeAccountingAuth):
    built = Container(settings, clock=clock, providers=FakeRegistry(fake_app))
    use_container(built)
    yield built
    use_container(None)


@pytest.fixture
def api(container: Container) -> Iterator[Client]:
    """The Chalice test client; every `api.http` response is checked against docs/openapi.yaml."""
    from app import app
    from tests.contract.openapi_contract import ContractClient

    with ContractClient(app, stage_name="local") as client:
        yield client


def bearer(tenant_id: str = "tenant-a", roles: tuple[str, ...] = ("admin",), **options) -> dict:
    token = mint_token(tenant_id, list(roles), secret=JWT_SECRET, **options)
    return {"Authorization": f"Bearer {token}"}


from tests.emulated import emulated  # noqa: E402, F401 - shared fixture
