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
from chalicelib.bootstrap import Container, use_container  # noqa: E402
from chalicelib.settings import Settings  # noqa: E402
from tests.support.fakes import FakeAccountingAuth, FakeClock, FakeRegistry  # noqa: E402
from tests.support.settings import SYNC_QUEUE, SYNC_QUEUE_URL, TABLE, make_settings  # noqa: E402

# Fixtures every test package may take, kept with the helpers they belong to.
pytest_plugins = [
    "tests.support.xero_emulator_fixtures",
    "tests.support.emulated",
    "tests.support.jobs",
]


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
def job_container(container: Container) -> Container:
    """The container whose job queue `queue_delays` records; tests on the emulators use theirs."""
    return container


@pytest.fixture
def api(container: Container) -> Iterator[Client]:
    """The Chalice test client; every `api.http` response is checked against docs/openapi.yaml."""
    from app import app
    from tests.support.openapi_contract import ContractClient

    with ContractClient(app, stage_name="local") as client:
        yield client
