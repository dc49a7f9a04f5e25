"""The routes with the real Xero adapter against the emulator: what a user sees, and logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client

from chalicelib.adapters.clock import SystemClock
from chalicelib.bootstrap import Container, use_container
from tests.api.test_connect_flow import redirect_params
from tests.conftest import bearer, make_settings
from tests.xero_emulator_fixtures import CLIENT_ID, CLIENT_SECRET, emulated_xero_settings


@pytest.fixture
def xero_api(aws, xero) -> Iterator[tuple[Client, object]]:
    emulator, server = xero
    settings = make_settings(providers={"xero": emulated_xero_settings(server.url)})
    use_container(Container(settings, clock=SystemClock()))
    from app import app

    with Client(app, stage_name="local") as client:
        yield client, emulator
    use_container(None)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above by any logger, as it would reach CloudWatch."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    loggers = [logging.getLogger(), logging.getLogger("loc8-integrations")]
    previous = [log.level for log in loggers]
    for log in loggers:
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    yield sink
    for log, level in zip(loggers, previous, strict=True):
        log.removeHandler(handler)
        log.setLevel(level)


def connect_and_disconnect(client: Client, emulator) -> str:
    added = client.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    ).json_body
    location = emulator.consent(added["authorize_url"])
    callback_path = location.removeprefix("https://integrations.loc8.test")
    assert redirect_params(client.http.get(callback_path))["result"] == "connected"
    integration = client.http.get(f"/v1/integrations/{added['id']}", headers=bearer()).json_body
    assert integration["organisation"]["name"] == "Demo Company (AU)"
    return added["id"]


def test_no_token_or_client_secret_reaches_logs_or_the_table(xero_api, captured_logs, settings):
    client, emulator = xero_api
    integration_id = connect_and_disconnect(client, emulator)
    snapshot = emulator.snapshot()
    issued = [
        token["token"]
        for grant in snapshot["grants"]
        for token in grant["refreshTokens"] + grant["accessTokens"]
    ]
    assert issued, "the emulator issued no tokens"
    table = json.dumps(boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"])

    assert (
        client.http.delete(f"/v1/integrations/{integration_id}", headers=bearer()).status_code
        == 204
    )

    logs = captured_logs.getvalue()
    assert "integration connected" in logs
    for secret in [*issued, CLIENT_SECRET]:
        assert secret not in logs
        assert secret not in table


def test_access_revoked_in_xero_still_disconnects_cleanly(xero_api):
    client, emulator = xero_api
    integration_id = connect_and_disconnect(client, emulator)
    # The user removes the app in Xero: the whole grant goes.
    [grant] = emulator.snapshot()["grants"]
    emulator.oauth.revoke(CLIENT_ID, grant["refreshTokens"][0]["token"])
    response = client.http.delete(f"/v1/integrations/{integration_id}", headers=bearer())
    assert response.status_code == 204
    assert emulator.connections() == []


def test_a_timeout_at_the_token_endpoint_is_a_502_and_a_retry_connects(xero_api):
    client, emulator = xero_api
    added = client.http.post(
        "/v1/integrations",
        headers={**bearer(), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    ).json_body
    callback_path = emulator.consent(added["authorize_url"]).removeprefix(
        "https://integrations.loc8.test"
    )
    emulator.faults.add("POST", "/connect/token", status=504)
    failed = client.http.get(callback_path)
    assert failed.status_code == 502
    assert failed.json_body["type"] == "urn:loc8:problem:app-unavailable"
    assert boto3.client("secretsmanager").list_secrets()["SecretList"] == []
    assert redirect_params(client.http.get(callback_path))["result"] == "connected"
