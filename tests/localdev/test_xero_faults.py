"""Fault injection: what a client sees when Xero fails, stalls or loses a reply."""

from __future__ import annotations

import time

import pytest
import requests

from localdev.xero import XeroEmulator
from tests.support.xero_flow import XeroFlow


def _refresh_tokens_of(emulator: XeroEmulator) -> list[dict[str, str | None]]:
    [grant] = emulator.snapshot()["grants"]
    return grant["refreshTokens"]


def test_503_once_then_the_retry_succeeds(xero: XeroFlow, emulator: XeroEmulator) -> None:
    tokens = xero.login()
    created = xero.control(
        "POST",
        "/faults",
        {"method": "POST", "path": "/connect/token", "status": 503, "latency_ms": 0, "times": 1},
    )
    assert created.status_code == 201

    failed = xero.refresh(tokens["refresh_token"])
    assert failed.status_code == 503
    # The failure did no work: the refresh token was not consumed.
    assert all(t["firstUsedAt"] is None for t in _refresh_tokens_of(emulator))

    retried = xero.refresh(tokens["refresh_token"])
    assert retried.status_code == 200
    assert xero.control("GET", "/faults").json() == []
    assert xero.control("GET", "/calls").json()["POST /connect/token"] == 3


def test_latency_delays_the_real_answer(xero: XeroFlow) -> None:
    tokens = xero.login()
    xero.control(
        "POST",
        "/faults",
        {"method": "GET", "path": "/connections", "mode": "delay", "latency_ms": 150},
    )

    started = time.monotonic()
    response = xero.connections(tokens["access_token"])
    assert time.monotonic() - started >= 0.15
    assert response.status_code == 200

    # The fault was used up: no delay is left registered for the next call.
    assert xero.control("GET", "/faults").json() == []
    assert xero.connections(tokens["access_token"]).status_code == 200


def test_commit_then_drop_rotates_the_token_although_the_client_sees_a_failure(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    tokens = xero.login()
    xero.control(
        "POST", "/faults", {"method": "POST", "path": "/connect/token", "mode": "commit_then_drop"}
    )

    lost = xero.refresh(tokens["refresh_token"])
    assert lost.status_code == 504
    assert lost.headers["Content-Type"].startswith("text/html")
    issued = _refresh_tokens_of(emulator)
    assert len(issued) == 2, "the refresh happened on the server"
    assert issued[0]["firstUsedAt"] is not None

    # Within Xero's 30-minute grace the client can replay the old token and carry on.
    emulator.clock.advance(10 * 60)
    replay = xero.refresh(tokens["refresh_token"])
    assert replay.status_code == 200
    assert xero.refresh(replay.json()["refresh_token"]).status_code == 200


def test_commit_then_close_drops_the_connection_after_doing_the_work(
    xero: XeroFlow, emulator: XeroEmulator
) -> None:
    tokens = xero.login()
    emulator.faults.add("POST", "/connect/token", mode="commit_then_close")

    with pytest.raises(requests.ConnectionError):
        xero.refresh(tokens["refresh_token"])
    assert len(_refresh_tokens_of(emulator)) == 2
    assert xero.refresh(tokens["refresh_token"]).status_code == 200


def test_fault_path_may_be_a_template(xero: XeroFlow, emulator: XeroEmulator) -> None:
    tokens = xero.login()
    [connection] = xero.connections(tokens["access_token"]).json()
    emulator.faults.add("DELETE", "/connections/{id}", status=500)

    assert xero.delete_connection(tokens["access_token"], connection["id"]).status_code == 500
    assert len(emulator.connections()) == 1
    assert xero.delete_connection(tokens["access_token"], connection["id"]).status_code == 204


def test_fault_with_custom_status_headers_and_body(xero: XeroFlow, emulator: XeroEmulator) -> None:
    tokens = xero.login()
    emulator.faults.add(
        "GET",
        "/connections",
        status=429,
        headers={"Retry-After": "7", "X-Rate-Limit-Problem": "minute"},
        body={"Title": "Too Many Requests"},
    )

    response = xero.connections(tokens["access_token"])
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {"Title": "Too Many Requests"}


def test_unlimited_fault_stays_until_cleared(xero: XeroFlow) -> None:
    tokens = xero.login()
    xero.control(
        "POST", "/faults", {"method": "GET", "path": "/connections", "status": 502, "times": None}
    )

    assert [xero.connections(tokens["access_token"]).status_code for _ in range(3)] == [502] * 3
    assert xero.control("DELETE", "/faults").status_code == 204
    assert xero.connections(tokens["access_token"]).status_code == 200


def test_faults_only_hit_their_method_and_path(xero: XeroFlow, emulator: XeroEmulator) -> None:
    emulator.faults.add("GET", "/connect/token", status=503)
    tokens = xero.login()
    assert xero.connections(tokens["access_token"]).status_code == 200
    assert len(emulator.faults.list()) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"path": "/connect/token"},
        {"method": "POST"},
        {"method": "BREW", "path": "/connect/token"},
        {"method": "POST", "path": "connect/token"},
        {"method": "POST", "path": "/connect/token", "mode": "explode"},
        {"method": "POST", "path": "/connect/token", "status": 200},
        {"method": "POST", "path": "/connect/token", "status": "503"},
        {"method": "POST", "path": "/connect/token", "latency_ms": -1},
        {"method": "POST", "path": "/connect/token", "times": 0},
        {"method": "POST", "path": "/connect/token", "colour": "red"},
    ],
)
def test_invalid_fault_definitions_are_rejected(xero: XeroFlow, body: dict[str, object]) -> None:
    response = xero.control("POST", "/faults", body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert xero.control("GET", "/faults").json() == []
