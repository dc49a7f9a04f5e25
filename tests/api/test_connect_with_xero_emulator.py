"""The routes with the real Xero adapter against the emulator: what a user sees, and logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from chalice.test import Client

from chalicelib.adapters.clock import SystemClock
from chalicelib.bootstrap import Container, use_container
from localdev.xero import DEMO_TENANT_ID as DEMO
from tests.support.auth import bearer
from tests.support.consent import finish, redirect_params
from tests.support.emulated import allow_and_finish
from tests.support.settings import make_settings
from tests.support.xero_emulator_fixtures import CLIENT_ID, CLIENT_SECRET, emulated_xero_settings


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


CALLBACK_ORIGIN = "https://integrations.loc8.test"


def add_xero(client: Client, tenant: str = "tenant-a") -> dict:
    return client.http.post(
        "/v1/integrations",
        headers={**bearer(tenant), "Content-Type": "application/json"},
        body=json.dumps({"app": "xero"}),
    ).json_body


def connect_and_disconnect(client: Client, emulator) -> str:
    added = add_xero(client)
    allow_and_finish(client, emulator, added["authorize_url"], "tenant-a")
    integration = client.http.get(f"/v1/integrations/{added['id']}", headers=bearer()).json_body
    assert integration["organisation"]["name"] == "Demo Company (AU)"
    return added["id"]


def test_no_token_or_client_secret_reaches_logs_or_the_table(xero_api, captured_logs, settings):
    client, emulator = xero_api
    added = add_xero(client)
    location = emulator.consent(added["authorize_url"])
    code = parse_qs(urlsplit(location).query)["code"][0]
    params = redirect_params(client.http.get(location.removeprefix(CALLBACK_ORIGIN)))
    parked = json.dumps(boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"])
    assert code not in parked
    assert params["handle"] not in parked
    assert finish(client, params).json_body["status"] == "AUTHORISED"
    integration_id = added["id"]
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
    for secret in [*issued, CLIENT_SECRET, code, params["handle"]]:
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
    added = add_xero(client)
    callback_path = emulator.consent(added["authorize_url"]).removeprefix(CALLBACK_ORIGIN)
    params = redirect_params(client.http.get(callback_path))
    emulator.faults.add("POST", "/connect/token", status=504)
    failed = finish(client, params)
    assert failed.status_code == 502
    assert failed.json_body["type"] == "urn:loc8:problem:app-unavailable"
    assert boto3.client("secretsmanager").list_secrets()["SecretList"] == []
    retried = finish(client, params)
    assert retried.status_code == 200
    assert retried.json_body["status"] == "AUTHORISED"


def test_only_the_organisations_of_this_consent_are_offered(xero_api):
    """One Xero user (a bookkeeper) connected Demo Company for one Loc8 business; for a
    second business they grant only Second Trade Co. Xero still lists Demo Company among
    the user's connections, but this consent did not grant it."""
    client, emulator = xero_api
    second = emulator.add_organisation("Second Trade Co")
    first = add_xero(client, "tenant-a")
    allow_and_finish(client, emulator, first["authorize_url"], "tenant-a", tenant_ids=[DEMO])

    added = add_xero(client, "tenant-b")
    finished = allow_and_finish(
        client, emulator, added["authorize_url"], "tenant-b", tenant_ids=[second.tenant_id]
    ).json_body
    assert finished["status"] == "AUTHORISED"
    assert finished["organisation"] == {"id": second.tenant_id, "name": "Second Trade Co"}
    assert "organisations" not in finished


def test_organisations_granted_again_in_this_consent_are_offered(xero_api):
    client, emulator = xero_api
    second = emulator.add_organisation("Second Trade Co")
    first = add_xero(client, "tenant-a")
    allow_and_finish(client, emulator, first["authorize_url"], "tenant-a", tenant_ids=[DEMO])

    added = add_xero(client, "tenant-b")
    finished = allow_and_finish(
        client, emulator, added["authorize_url"], "tenant-b", tenant_ids=[DEMO, second.tenant_id]
    ).json_body
    assert finished["status"] == "CHOOSE_ORGANISATION"
    assert {org["name"] for org in finished["organisations"]} == {
        "Demo Company (AU)",
        "Second Trade Co",
    }
