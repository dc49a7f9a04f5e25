"""Intuit's throttles: 500 requests a minute per company, 10 in flight per company and
app, 40 batches a minute; over any of them a 429 with the ThrottleExceeded fault."""

from __future__ import annotations

import threading

import requests

from localdev.emukit import RunningServer
from localdev.quickbooks import DEMO_REALM_ID, QuickBooksEmulator
from tests.support.quickbooks_api import Api, connected_api, fault_of, qbo_api
from tests.support.quickbooks_emulator_fixtures import (
    CLIENT_ID,
    connect,
    qbo_emulator,
    qbo_server,
)

__all__ = ["qbo_api", "qbo_emulator", "qbo_server"]  # fixtures used by name below
QUERY_PATH = "/v3/company/{realm_id}/query"


def _count_via_test_client(emulator: QuickBooksEmulator, api: Api, times: int) -> list[int]:
    """Many requests quickly, through the WSGI app (no sockets), with the real token."""
    client = emulator.app.test_client()
    url = f"/v3/company/{api.realm_id}/query?query=select%20count(*)%20from%20Item&minorversion=75"
    return [client.get(url, headers=api.headers()).status_code for _ in range(times)]


def test_the_501st_request_in_a_minute_is_throttled_and_not_counted(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    statuses = _count_via_test_client(qbo_emulator, qbo_api, 501)

    assert statuses[:500] == [200] * 500
    assert statuses[500] == 429
    refused = qbo_api.query("select count(*) from Item")
    assert refused.status_code == 429
    assert refused.json()["Fault"]["type"] == "SERVICE"
    assert fault_of(refused) == {
        "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "Detail": "The request limit was reached.  Try again later",
        "code": "3001",
        "element": "",
    }
    assert "Retry-After" not in refused.headers  # Intuit sends none
    assert qbo_emulator.limits.usage()["realms"][DEMO_REALM_ID]["lastMinute"] == 500
    qbo_emulator.clock.advance(60)
    assert qbo_api.query("select count(*) from Item").status_code == 200


def test_the_minute_limit_is_per_company(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    other = qbo_emulator.add_company("Second Sparkies Pty Ltd", "AU")
    other_api = Api(qbo_server.url, connect(qbo_emulator, qbo_server.url, realm_id=other.realm_id))
    other_api.realm_id = other.realm_id
    qbo_emulator.limits.configure(per_minute=2)

    statuses = [qbo_api.query("select count(*) from Item").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert other_api.query("select count(*) from Item").status_code == 200


def test_an_eleventh_request_in_flight_is_throttled(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    qbo_emulator.faults.add("GET", QUERY_PATH, mode="delay", latency_ms=10_000, times=None)
    answers: list[int] = []

    def slow() -> None:
        answers.append(qbo_api.query("select count(*) from Item").status_code)

    threads = [threading.Thread(target=slow) for _ in range(10)]
    for thread in threads:
        thread.start()
    try:
        assert qbo_emulator.limits.wait_for_in_flight(DEMO_REALM_ID, CLIENT_ID, 10)
        eleventh = qbo_api.get("/customer/1")
    finally:
        qbo_emulator.faults.clear()
        for thread in threads:
            thread.join(5)

    assert eleventh.status_code == 429
    assert answers == [200] * 10
    assert qbo_api.get("/customer/1").status_code == 200


def test_the_41st_batch_in_a_minute_is_throttled_while_other_calls_go_on(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator
) -> None:
    body = {"BatchItemRequest": [{"bId": "1", "Query": "select count(*) from Item"}]}

    statuses = [qbo_api.post("/batch", body).status_code for _ in range(41)]

    assert statuses == [200] * 40 + [429]
    assert qbo_api.query("select count(*) from Item").status_code == 200


def test_limits_can_be_read_and_lowered_over_http(
    qbo_api: Api, qbo_server: RunningServer, qbo_emulator: QuickBooksEmulator
) -> None:
    lowered = requests.post(f"{qbo_server.url}/_emulator/limits", json={"per_minute": 1}, timeout=5)
    qbo_api.query("select count(*) from Item")

    assert lowered.json()["per_minute"] == 1
    assert qbo_api.query("select count(*) from Item").status_code == 429
    usage = requests.get(f"{qbo_server.url}/_emulator/limits", timeout=5).json()
    assert usage["realms"][DEMO_REALM_ID]["lastMinute"] == 1
    qbo_emulator.reset()
    assert qbo_emulator.limits.limits.per_minute == 500


def test_a_second_connection_to_the_same_company_shares_its_minute(
    qbo_api: Api, qbo_emulator: QuickBooksEmulator, qbo_server: RunningServer
) -> None:
    second = connected_api(qbo_emulator, qbo_server)
    qbo_emulator.limits.configure(per_minute=2)

    first_answers = [qbo_api.query("select count(*) from Item").status_code for _ in range(2)]

    assert first_answers == [200, 200]
    assert second.query("select count(*) from Item").status_code == 429
